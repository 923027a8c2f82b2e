"""A sixth media type, added the way the README's "Add a media type" says: this module stands in
for its engine package (comparisons/engines/model/__init__.py) and `test_media_type_registry.SPEC`
for its line in the registry. ASCII STL 3D models, compared by the facets they share."""

from __future__ import annotations

from pathlib import Path

from comparisons.engines import MediaInfo, Options, Progress, Result, UnreadableFile, spec_of


def sniff(head: bytes) -> str | None:
    """The format when the first bytes are an ASCII STL model, else None (not this type)."""
    return "stl" if head.startswith(b"solid ") and b"facet normal" in head else None


def _facets(path: Path, label: str) -> set[str]:
    text = path.read_text("ascii", errors="replace")
    facets = {" ".join(block.split()) for block in text.split("endfacet")[:-1]}
    if not facets:
        raise UnreadableFile(f"{label} has no facets.")
    return facets


class ModelEngine:
    media_type = "model"
    runs_async = spec_of(media_type).runs_async

    def probe(self, path: Path) -> MediaInfo:
        return MediaInfo(
            media_type="model", format="stl", extra={"facets": len(_facets(path, "the file"))}
        )

    def compare(self, a: Path, b: Path, options: Options, progress: Progress) -> Result:
        fa, fb = _facets(a, "file1"), _facets(b, "file2")
        shared = len(fa & fb) / len(fa | fb)
        return Result(similarity=100 * shared, metrics={"facets_a": len(fa), "facets_b": len(fb)})


engine = ModelEngine()
