"""Where beneficiaries may bank: the SEPA and UK regions Toqio's filters name, with country data."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from accounts_payments.domain.beneficiaries import UK_AREA


class Region(StrEnum):
    """``BeneficiaryFilterRequest.accountCountry``."""

    EU = "EU"
    UK = "UK"
    EU_UK = "EU_UK"


@dataclass(frozen=True, slots=True)
class Country:
    """A country beneficiaries may bank in (``CountryResponse``)."""

    code: str
    iso_code: str
    name: str
    prefix: str
    iban: bool = True
    send_money: bool = True
    sepa: bool = True


def _countries(rows: str) -> tuple[Country, ...]:
    return tuple(
        Country(code=code, iso_code=iso3, name=name.replace("_", " "), prefix=prefix)
        for code, iso3, prefix, name in (row.split() for row in rows.strip().splitlines())
    )


# The EPC's SEPA countries (EU, EEA, Switzerland and the microstates), without the UK area:
# GB and the crown dependencies are SEPA members too, but Toqio's filter makes them their own
# region (sterling, Faster Payments), so EU and EU_UK would otherwise be the same list.
SEPA_COUNTRIES = _countries("""
AT AUT +43 Austria
BE BEL +32 Belgium
BG BGR +359 Bulgaria
HR HRV +385 Croatia
CY CYP +357 Cyprus
CZ CZE +420 Czechia
DK DNK +45 Denmark
EE EST +372 Estonia
FI FIN +358 Finland
FR FRA +33 France
DE DEU +49 Germany
GR GRC +30 Greece
HU HUN +36 Hungary
IE IRL +353 Ireland
IT ITA +39 Italy
LV LVA +371 Latvia
LT LTU +370 Lithuania
LU LUX +352 Luxembourg
MT MLT +356 Malta
NL NLD +31 Netherlands
PL POL +48 Poland
PT PRT +351 Portugal
RO ROU +40 Romania
SK SVK +421 Slovakia
SI SVN +386 Slovenia
ES ESP +34 Spain
SE SWE +46 Sweden
IS ISL +354 Iceland
LI LIE +423 Liechtenstein
NO NOR +47 Norway
CH CHE +41 Switzerland
AD AND +376 Andorra
MC MCO +377 Monaco
SM SMR +378 San_Marino
VA VAT +39 Vatican_City
""")
UK_COUNTRIES = _countries("""
GB GBR +44 United_Kingdom
IM IMN +44 Isle_of_Man
GG GGY +44 Guernsey
JE JEY +44 Jersey
GI GIB +350 Gibraltar
""")
_BY_REGION = {
    Region.EU: SEPA_COUNTRIES,
    Region.UK: UK_COUNTRIES,
    Region.EU_UK: SEPA_COUNTRIES + UK_COUNTRIES,
}
# The currency each region's domestic scheme moves: SEPA euros, UK Faster Payments sterling.
_CURRENCY = {Region.EU: ("eur",), Region.UK: ("gbp",), Region.EU_UK: ("eur", "gbp")}


def countries_of(region: Region) -> tuple[Country, ...]:
    """The countries beneficiaries of ``region`` may bank in."""
    return _BY_REGION[region]


def currencies_of(region: Region) -> tuple[str, ...]:
    """The lower-case asset types of ``region``'s domestic schemes."""
    return _CURRENCY[region]


def region_of(country_code: str | None, asset_type: str | None) -> Region:
    """The region of a source account, from its country, else its currency, else both."""
    country = (country_code or "").upper()
    if country in UK_AREA:
        return Region.UK
    if any(c.code == country for c in SEPA_COUNTRIES):
        return Region.EU
    currency = (asset_type or "").lower()
    if currency == "gbp":
        return Region.UK
    if currency == "eur":
        return Region.EU
    return Region.EU_UK
