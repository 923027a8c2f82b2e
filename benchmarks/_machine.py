"""The line every benchmark prints first: the machine and its load when it ran."""

from __future__ import annotations

import os
import platform


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next(line.split(":", 1)[1].strip() for line in info if "model name" in line)
    except (OSError, StopIteration):
        pass
    load = ", load {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    return f"{platform.system()} {platform.release()}, {os.cpu_count()} cores ({cpu}){load}"
