"""Country names and codes as the lists write them, mapped to ISO 3166 alpha-2."""

from __future__ import annotations

import re
import unicodedata

# ISO 3166-1 short names (and common names) plus the spellings OFAC and the UN use: "Burma",
# "Korea, North", "Iran (Islamic Republic of)" (which keys like ISO's "Iran, Islamic Republic
# of"). XK is Kosovo's user-assigned code, as the EU list writes it.
_TABLE = """
    AD Andorra; AE United Arab Emirates; AF Afghanistan; AG Antigua and Barbuda; AI Anguilla;
    AL Albania; AM Armenia; AO Angola; AQ Antarctica; AR Argentina; AS American Samoa;
    AT Austria; AU Australia; AW Aruba; AX Åland Islands; AZ Azerbaijan;
    BA Bosnia and Herzegovina; BB Barbados; BD Bangladesh; BE Belgium; BF Burkina Faso;
    BG Bulgaria; BH Bahrain; BI Burundi; BJ Benin; BL Saint Barthélemy; BM Bermuda;
    BN Brunei Darussalam|Brunei; BO Bolivia, Plurinational State of|Bolivia;
    BQ Bonaire, Sint Eustatius and Saba; BR Brazil; BS Bahamas; BT Bhutan; BV Bouvet Island;
    BW Botswana; BY Belarus; BZ Belize; CA Canada; CC Cocos (Keeling) Islands;
    CD Congo, The Democratic Republic of the|Congo, Democratic Republic of the|
    Democratic Republic of the Congo;
    CF Central African Republic; CG Congo|Congo, Republic of the|Republic of the Congo;
    CH Switzerland; CI Côte d'Ivoire|Ivory Coast; CK Cook Islands; CL Chile; CM Cameroon;
    CN China; CO Colombia; CR Costa Rica; CU Cuba; CV Cabo Verde|Cape Verde; CW Curaçao;
    CX Christmas Island; CY Cyprus; CZ Czechia|Czech Republic; DE Germany; DJ Djibouti;
    DK Denmark; DM Dominica; DO Dominican Republic; DZ Algeria; EC Ecuador; EE Estonia; EG Egypt;
    EH Western Sahara; ER Eritrea; ES Spain; ET Ethiopia; FI Finland; FJ Fiji;
    FK Falkland Islands (Malvinas); FM Micronesia, Federated States of; FO Faroe Islands;
    FR France; GA Gabon;
    GB United Kingdom|United Kingdom of Great Britain and Northern Ireland|Great Britain|UK;
    GD Grenada; GE Georgia; GF French Guiana; GG Guernsey; GH Ghana; GI Gibraltar; GL Greenland;
    GM Gambia; GN Guinea; GP Guadeloupe; GQ Equatorial Guinea; GR Greece;
    GS South Georgia and the South Sandwich Islands; GT Guatemala; GU Guam; GW Guinea-Bissau;
    GY Guyana; HK Hong Kong; HM Heard Island and McDonald Islands; HN Honduras; HR Croatia;
    HT Haiti; HU Hungary; ID Indonesia; IE Ireland; IL Israel; IM Isle of Man; IN India;
    IO British Indian Ocean Territory; IQ Iraq; IR Iran, Islamic Republic of|Iran; IS Iceland;
    IT Italy; JE Jersey; JM Jamaica; JO Jordan; JP Japan; KE Kenya; KG Kyrgyzstan; KH Cambodia;
    KI Kiribati; KM Comoros; KN Saint Kitts and Nevis;
    KP Korea, Democratic People's Republic of|North Korea|Korea, North|
    Democratic People's Republic of Korea|DPRK;
    KR Korea, Republic of|South Korea|Korea, South|Republic of Korea; KW Kuwait;
    KY Cayman Islands; KZ Kazakhstan; LA Lao People's Democratic Republic|Laos; LB Lebanon;
    LC Saint Lucia; LI Liechtenstein; LK Sri Lanka; LR Liberia; LS Lesotho; LT Lithuania;
    LU Luxembourg; LV Latvia; LY Libya|Libyan Arab Jamahiriya; MA Morocco; MC Monaco;
    MD Moldova, Republic of|Moldova|Republic of Moldova; ME Montenegro;
    MF Saint Martin (French part); MG Madagascar; MH Marshall Islands;
    MK North Macedonia|Macedonia|The former Yugoslav Republic of Macedonia; ML Mali;
    MM Myanmar|Burma; MN Mongolia; MO Macao; MP Northern Mariana Islands; MQ Martinique;
    MR Mauritania; MS Montserrat; MT Malta; MU Mauritius; MV Maldives; MW Malawi; MX Mexico;
    MY Malaysia; MZ Mozambique; NA Namibia; NC New Caledonia; NE Niger; NF Norfolk Island;
    NG Nigeria; NI Nicaragua; NL Netherlands; NO Norway; NP Nepal; NR Nauru; NU Niue;
    NZ New Zealand; OM Oman; PA Panama; PE Peru; PF French Polynesia; PG Papua New Guinea;
    PH Philippines; PK Pakistan; PL Poland; PM Saint Pierre and Miquelon; PN Pitcairn;
    PR Puerto Rico; PS Palestine, State of|State of Palestine|Palestinian|West Bank|Gaza;
    PT Portugal; PW Palau; PY Paraguay; QA Qatar; RE Réunion; RO Romania; RS Serbia;
    RU Russian Federation|Russia; RW Rwanda; SA Saudi Arabia; SB Solomon Islands; SC Seychelles;
    SD Sudan; SE Sweden; SG Singapore; SH Saint Helena, Ascension and Tristan da Cunha;
    SI Slovenia; SJ Svalbard and Jan Mayen; SK Slovakia; SL Sierra Leone; SM San Marino;
    SN Senegal; SO Somalia; SR Suriname; SS South Sudan; ST Sao Tome and Principe;
    SV El Salvador; SX Sint Maarten (Dutch part); SY Syrian Arab Republic|Syria;
    SZ Eswatini|Swaziland; TC Turks and Caicos Islands; TD Chad; TF French Southern Territories;
    TG Togo; TH Thailand; TJ Tajikistan; TK Tokelau; TL Timor-Leste|East Timor; TM Turkmenistan;
    TN Tunisia; TO Tonga; TR Türkiye|Turkey; TT Trinidad and Tobago; TV Tuvalu;
    TW Taiwan, Province of China|Taiwan;
    TZ Tanzania, United Republic of|Tanzania|United Republic of Tanzania; UA Ukraine; UG Uganda;
    UM United States Minor Outlying Islands; US United States|United States of America|USA;
    UY Uruguay; UZ Uzbekistan; VA Holy See (Vatican City State)|Holy See|Vatican;
    VC Saint Vincent and the Grenadines; VE Venezuela, Bolivarian Republic of|Venezuela;
    VG Virgin Islands, British; VI Virgin Islands, U.S.; VN Viet Nam|Vietnam; VU Vanuatu;
    WF Wallis and Futuna; WS Samoa; XK Kosovo; YE Yemen; YT Mayotte; ZA South Africa; ZM Zambia;
    ZW Zimbabwe
"""

_NOT_LETTERS = re.compile(r"[^a-z]+")
_APOSTROPHES = re.compile(
    r"['`\N{LEFT SINGLE QUOTATION MARK}\N{RIGHT SINGLE QUOTATION MARK}"
    r"\N{MODIFIER LETTER APOSTROPHE}]"
)


def _key(name: str) -> str:
    plain = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    words = _NOT_LETTERS.split(_APOSTROPHES.sub("", plain.casefold()))
    # "The Gambia" is "Gambia", and "Congo, The Democratic Republic of the" loses both.
    return " ".join(word for word in words if word and word != "the")


def _parse(table: str) -> dict[str, str]:
    codes: dict[str, str] = {}
    for item in table.replace("\n", " ").split(";"):
        code, _, names = item.strip().partition(" ")
        for name in names.split("|"):
            codes[_key(name)] = code
    return codes


_CODES_BY_NAME = _parse(_TABLE)
ISO_CODES = frozenset(_CODES_BY_NAME.values())


def country_code(value: str) -> str | None:
    """The ISO alpha-2 code of a country written as a code or a name.

    Args:
        value: "IR", "Iran", "Iran (Islamic Republic of)", "Korea, North"...

    Returns:
        The code, or ``None`` for a blank value, an unknown country or a region the lists
        name without a country ("Region: Crimea").
    """
    text = value.strip()
    if len(text) == 2 and text.isascii() and text.upper() in ISO_CODES:
        return text.upper()
    key = _key(text)
    if key in _CODES_BY_NAME:
        return _CODES_BY_NAME[key]
    # "Iran (Islamic Republic of)" when only "Iran" is known, or "Yemen (Aden)".
    return _CODES_BY_NAME.get(_key(text.split("(")[0])) if "(" in text else None
