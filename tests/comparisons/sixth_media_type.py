"""A sixth media type, exactly as the README's "Add a media type" adds it: this module is its
engine package (comparisons/engines/model/__init__.py there) and `test_media_type_registry.SPEC`
its registry line. ASCII STL 3D models, compared by the facets they share."""

from pathlib import Path

from comparisons.engines import MediaInfo, Options, Progress, Result, UnreadableFile, spec_of


def sniff(head: bytes) -> str | None:
    """The format when a file's first 64 KB are an STL model; None: not this type."""
    return "stl" if head.startswith(b"solid ") and b"facet normal" in head else None


def facets(path: Path, label: str) -> set[str]:
    found = {" ".join(f.split()) for f in path.read_text("ascii", "replace").split("endfacet")[:-1]}
    if not found:
        raise UnreadableFile(f"{label} has no facets.")  # answered 422, no credit taken
    return found


class ModelEngine:
    media_type = "model"
    runs_async = spec_of(media_type).runs_async

    def probe(self, path: Path) -> MediaInfo:  # cheap: runs on upload, before a credit is taken
        count = len(facets(path, "the file"))
        return MediaInfo(media_type="model", format="stl", extra={"facets": count})

    def compare(self, a: Path, b: Path, options: Options, progress: Progress) -> Result:
        fa, fb = facets(a, "file1"), facets(b, "file2")
        return Result(similarity=100 * len(fa & fb) / len(fa | fb), metrics={"facets_a": len(fa)})


engine = ModelEngine()
