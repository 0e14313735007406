"""English for numbers read from Chinese text: scale words (万, 亿) and months.

Pure functions, no I/O; shared by the gloss engine (which renders numbers) and the fidelity check (which must accept
the English forms the engine and neural engines produce, e.g. 1.5亿 → "150 million"). Chinese numerals themselves are
read by zhtext.numerals.
"""

from __future__ import annotations

from decimal import Decimal

from zhtext.numerals import magnitude

__all__ = [
    "MONTHS",
    "scale_forms",
    "render_scaled",
    "ordinal",
]

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def render_scaled(number: str, multiplier: str) -> str:
    """English for a digit string times 万/亿/万亿: ("1.5", "亿") → "150 million", ("3", "万") → "30,000"."""
    value = Decimal(number.replace(",", "")) * magnitude(multiplier)
    for size, name in ((Decimal(10**12), "trillion"), (Decimal(10**9), "billion"), (Decimal(10**6), "million")):
        if value >= size:
            return f"{_plain(value / size)} {name}"
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return _plain(value)


def scale_forms(number: str, multiplier: str) -> set[str]:
    """Every English spelling of number×multiplier the fidelity check accepts (digits, commas, scale words)."""
    value = Decimal(number.replace(",", "")) * magnitude(multiplier)
    forms = {_plain(value)}
    if value == value.to_integral_value():
        forms.add(f"{int(value):,}")
    for size, name in (
        (10**3, "thousand"),
        (10**4, "ten thousand"),
        (10**6, "million"),
        (10**8, "hundred million"),
        (10**9, "billion"),
        (10**12, "trillion"),
    ):
        scaled = value / Decimal(size)
        if scaled >= Decimal("0.01"):
            forms.add(f"{_plain(scaled)} {name}")
    return forms


def ordinal(n: int) -> str:
    """3 → "3rd", 11 → "11th"."""
    if 10 <= n % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
