"""IBAN and BIC value objects, validated with schwifty and explained per failure kind."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from schwifty import BIC, IBAN
from schwifty import exceptions as schwifty_errors

from shared_kernel.domain.errors import InvalidInput

_ALPHANUMERIC = re.compile(r"[A-Z0-9]+")
_IBAN_PREFIX = re.compile(r"[A-Z]{2}[0-9]{2}")


class IbanFailure(StrEnum):
    """Why an IBAN was refused, for callers that react to the kind rather than the text."""

    EMPTY = "EMPTY"
    MALFORMED = "MALFORMED"
    UNKNOWN_COUNTRY = "UNKNOWN_COUNTRY"
    WRONG_LENGTH = "WRONG_LENGTH"
    WRONG_CHECKSUM = "WRONG_CHECKSUM"
    INVALID_BBAN = "INVALID_BBAN"


class InvalidIban(InvalidInput):
    """An IBAN that cannot be used; ``failure`` says which check it failed."""

    default_code = "INVALID_IBAN"

    def __init__(self, message: str, failure: IbanFailure) -> None:
        super().__init__(message)
        self.failure = failure


def _normalise(raw: object) -> str:
    # Humans paste IBANs in print format ("DE89 3704 ..."), sometimes with tabs or NBSPs.
    return "".join(raw.split()).upper() if isinstance(raw, str) else ""


def _parse_iban(compact: str) -> IBAN:
    if not compact:
        raise InvalidIban("IBAN is empty", IbanFailure.EMPTY)
    if not _ALPHANUMERIC.fullmatch(compact):
        raise InvalidIban(
            "IBAN may contain only letters A-Z, digits and spaces", IbanFailure.MALFORMED
        )
    if not _IBAN_PREFIX.fullmatch(compact[:4]):
        raise InvalidIban(
            "IBAN must start with a two-letter country code and two check digits",
            IbanFailure.MALFORMED,
        )
    country = compact[:2]
    try:
        return IBAN(compact)
    except schwifty_errors.InvalidCountryCode:
        message = f"IBAN country code '{country}' is not a country that uses IBANs"
        raise InvalidIban(message, IbanFailure.UNKNOWN_COUNTRY) from None
    except schwifty_errors.InvalidLength:
        expected = IBAN(compact, allow_invalid=True).spec.iban_length
        message = f"IBAN for {country} must have {expected} characters, not {len(compact)}"
        raise InvalidIban(message, IbanFailure.WRONG_LENGTH) from None
    except schwifty_errors.InvalidChecksumDigits:
        message = "IBAN check digits do not match the rest of the IBAN; it may be mistyped"
        raise InvalidIban(message, IbanFailure.WRONG_CHECKSUM) from None
    except schwifty_errors.SchwiftyException:
        # InvalidStructure after the checks above means the BBAN breaks the country's format.
        message = f"IBAN account part does not match the format used in {country}"
        raise InvalidIban(message, IbanFailure.INVALID_BBAN) from None


@dataclass(frozen=True, slots=True)
class Iban:
    """A valid IBAN in compact form (``DE89370400440532013000``).

    ``Iban("de89 3704 0044 0532 0130 00")`` normalises its input; equal IBANs compare equal
    whatever spacing or case they arrived with.

    Raises:
        InvalidIban: an ``InvalidInput`` with code ``INVALID_IBAN``; its ``failure`` tells the
            kind (empty, malformed, unknown country, wrong length, wrong checksum, bad BBAN).
    """

    value: str
    _parsed: IBAN = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        parsed = _parse_iban(_normalise(self.value))
        object.__setattr__(self, "value", str(parsed.compact))
        object.__setattr__(self, "_parsed", parsed)

    @property
    def country_code(self) -> str:
        """The ISO 3166 country code the IBAN starts with (``DE``)."""
        return self.value[:2]

    @property
    def bank_code(self) -> str:
        """The national bank identifier inside the BBAN (``37040044``)."""
        return str(self._parsed.bank_code)

    @property
    def branch_code(self) -> str | None:
        """The branch identifier, for countries whose BBAN has one (GB sort code), else None."""
        return str(self._parsed.branch_code) or None

    @property
    def bban(self) -> str:
        """The basic bank account number: the IBAN without country and check digits."""
        return self.value[4:]

    @property
    def formatted(self) -> str:
        """The print format: groups of four characters (``DE89 3704 0044 0532 0130 00``)."""
        return " ".join(self.value[i : i + 4] for i in range(0, len(self.value), 4))

    def __str__(self) -> str:
        return self.value


def generate_iban(
    country_code: str, bank_code: str, account_number: str, branch_code: str = ""
) -> Iban:
    """Build the valid IBAN of an account from its national parts (check digits computed).

    Short bank, branch and account codes are left-padded with zeros as the country requires.

    Raises:
        InvalidIban: when the parts cannot form an IBAN of that country.
    """
    try:
        generated = IBAN.generate(
            country_code.upper(),
            bank_code=bank_code,
            account_code=account_number,
            branch_code=branch_code,
        )
    except schwifty_errors.InvalidCountryCode:
        message = f"'{country_code}' is not a country that uses IBANs"
        raise InvalidIban(message, IbanFailure.UNKNOWN_COUNTRY) from None
    except schwifty_errors.SchwiftyException as error:
        message = f"cannot build a {country_code.upper()} IBAN from these parts: {error}"
        raise InvalidIban(message, IbanFailure.INVALID_BBAN) from None
    return Iban(str(generated.compact))


def _invalid_bic(message: str) -> InvalidInput:
    return InvalidInput(message, code="INVALID_BIC")


@dataclass(frozen=True, slots=True)
class Bic:
    """A BIC (SWIFT code) of 8 or 11 characters, normalised to upper case without spaces.

    Raises:
        InvalidInput: code ``INVALID_BIC`` for a wrong length, structure or country.
    """

    value: str

    def __post_init__(self) -> None:
        compact = _normalise(self.value)
        if len(compact) not in (8, 11):
            raise _invalid_bic(f"BIC must have 8 or 11 characters, not {len(compact)}")
        if not _ALPHANUMERIC.fullmatch(compact):
            raise _invalid_bic("BIC may contain only letters A-Z and digits")
        try:
            BIC(compact)
        except schwifty_errors.InvalidCountryCode:
            raise _invalid_bic(f"BIC country code '{compact[4:6]}' is not a country") from None
        except schwifty_errors.SchwiftyException:
            message = (
                "BIC must be bank code (4), country (2 letters), location (2), branch (3, optional)"
            )
            raise _invalid_bic(message) from None
        object.__setattr__(self, "value", compact)

    @property
    def bank_code(self) -> str:
        """The institution code: the first four characters."""
        return self.value[:4]

    @property
    def country_code(self) -> str:
        """The ISO 3166 country code (characters 5 and 6)."""
        return self.value[4:6]

    @property
    def location_code(self) -> str:
        """The location code (characters 7 and 8)."""
        return self.value[6:8]

    @property
    def branch_code(self) -> str | None:
        """The branch code of an 11-character BIC, else None."""
        return self.value[8:] or None

    def __str__(self) -> str:
        return self.value
