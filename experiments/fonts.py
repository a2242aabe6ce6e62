"""Chinese text in matplotlib figures: fall back to a CJK font (Noto Sans CJK).

Matplotlib draws each glyph with the first family in ``font.family`` that has
it, so appending a CJK family keeps Latin text as it was and renders Chinese
instead of empty boxes. Debian's ``fonts-noto-cjk``
(installed by ``scripts/setup.sh --dev``) provides the fonts; matplotlib's
font cache may predate that install, so the files are registered directly.
"""

from __future__ import annotations

import glob
import shutil
import subprocess

from matplotlib import font_manager, rcParams

#: CJK families tried in order (simplified Chinese first).
CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans CJK TC", "WenQuanYi Zen Hei", "Source Han Sans SC")
#: Where Debian and most Linux distributions put the Noto CJK files.
_FONT_GLOBS = ("/usr/share/fonts/**/NotoSansCJK*.tt[cf]", "/usr/share/fonts/**/NotoSansCJK*.otf", "/usr/share/fonts/**/wqy-zenhei*.tt[cf]")


def _known() -> set[str]:
    return {f.name for f in font_manager.fontManager.ttflist}


def _register_files() -> None:
    paths = {p for pattern in _FONT_GLOBS for p in glob.glob(pattern, recursive=True)}
    if shutil.which("fc-match"):
        for family in CJK_FAMILIES[:2]:
            try:
                out = subprocess.run(["fc-match", "-f", "%{file}", family], capture_output=True, text=True, timeout=5, check=False).stdout.strip()
            except (OSError, subprocess.SubprocessError):
                continue
            if out and "CJK" in out:
                paths.add(out)
    for path in sorted(paths):
        try:
            font_manager.fontManager.addfont(path)
        except (OSError, RuntimeError, ValueError):
            continue


def use_cjk_fonts() -> str | None:
    """Make matplotlib fall back to a CJK font; returns the family used, or None if none is installed.

    Safe to call more than once.

    Example:
        >>> family = use_cjk_fonts()  # "Noto Sans CJK SC" where fonts-noto-cjk is installed
    """
    if not any(f in _known() for f in CJK_FAMILIES):
        _register_files()
    available = [f for f in CJK_FAMILIES if f in _known()]
    if not available:
        return None
    # Glyph fallback runs over the entries of font.family (a generic name
    # such as "sans-serif" resolves to one font), so the CJK families are
    # appended there, after whatever the figures ask for first.
    family = [f for f in rcParams["font.family"] if f not in CJK_FAMILIES]
    rcParams["font.family"] = [*family, *available]
    rcParams["axes.unicode_minus"] = False
    return available[0]
