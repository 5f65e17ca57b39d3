"""Pinyin of children's names, for search by initials and for spotting duplicates."""

from pypinyin import Style, lazy_pinyin


def pinyin_of(name: str) -> tuple[str, str]:
    """Full pinyin without tones and the initials: 张伟 → ("zhangwei", "zw")."""
    syllables = lazy_pinyin(name, style=Style.NORMAL, errors="ignore")
    full = "".join(syllables).lower()
    initials = "".join(s[0] for s in syllables if s).lower()
    return full, initials
