"""Partner products (the provider's catalog) and the products Toqio notifies per customer."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from accounts_payments.domain.customers import currency_codes, invalid
from shared_kernel.domain.errors import FieldProblem, InvalidInput

_COUNTRY = re.compile(r"[A-Za-z]{2}")
_MAX_ID = 128


@dataclass(frozen=True, slots=True)
class Label:
    """Toqio's ``I18nLabel``: one text per language, any of them may be missing."""

    en: str | None = None
    es: str | None = None
    de: str | None = None
    it: str | None = None
    zh: str | None = None
    pt: str | None = None

    def is_empty(self) -> bool:
        """Whether no language has a non-blank text."""
        texts = (self.en, self.es, self.de, self.it, self.zh, self.pt)
        return not any(text and text.strip() for text in texts)


def ensure_country_code(value: str, *, field_name: str = "countryCode") -> str:
    """An ISO 3166 alpha-2 code in upper case, or ``INVALID_REQUEST``."""
    if not _COUNTRY.fullmatch(value):
        raise invalid(field_name, f"{field_name} must be a two-letter ISO 3166 country code")
    return value.upper()


@dataclass(frozen=True, slots=True)
class PartnerProduct:
    """One entry of the provider's catalog: what account a merchant can open, where and how.

    ``code`` is what Toqio's products refer to as ``partnerProduct``; ``asset_types`` are
    upper-case ISO 4217 codes; no ``country_codes`` means the product is offered everywhere.
    """

    code: str
    label: Label
    asset_types: tuple[str, ...]
    schemes: tuple[str, ...] = ()
    country_codes: tuple[str, ...] = ()
    holder_bank: str | None = None
    holder_bank_address: str | None = None
    holder_bank_swift: str | None = None
    correspondent_bank: str | None = None
    correspondent_bank_address: str | None = None
    correspondent_bank_swift: str | None = None

    def __post_init__(self) -> None:
        if not self.asset_types:
            raise ValueError(f"partner product {self.code} offers no currency")
        codes = currency_codes(self.asset_types, field_name="assetTypes")
        object.__setattr__(self, "asset_types", codes)
        countries = tuple(ensure_country_code(c) for c in self.country_codes)
        object.__setattr__(self, "country_codes", countries)

    def available_in(self, country_code: str) -> bool:
        """Whether a merchant in ``country_code`` may open this product."""
        return not self.country_codes or country_code.upper() in self.country_codes


def select_partner_products(
    catalog: Iterable[PartnerProduct],
    *,
    currencies: Sequence[str] = (),
    country_code: str | None = None,
) -> list[PartnerProduct]:
    """The catalog entries offering one of ``currencies`` (all when empty) in the country."""
    wanted = {code.upper() for code in currencies}
    country = ensure_country_code(country_code) if country_code is not None else None
    return [
        product
        for product in catalog
        if (not wanted or wanted.intersection(product.asset_types))
        and (country is None or product.available_in(country))
    ]


def asset_types_of(products: Iterable[PartnerProduct]) -> tuple[str, ...]:
    """Every currency the products offer, sorted, without duplicates."""
    return tuple(sorted({code for product in products for code in product.asset_types}))


@dataclass(frozen=True, slots=True)
class CustomerProduct:
    """A product Toqio configured for a customer (``ProductNotificationItemDTO``).

    Deletion is soft (``deleted``) so a repeated deletion stays a no-op and the history of
    what Toqio told us remains readable.
    """

    product_id: str
    customer_id: str
    partner_product: str
    banking_provider: str
    name: Label
    ledger_type_id: str
    visible: bool
    description: Label | None = None
    is_core: bool | None = None
    product_image_url: str | None = None
    marketplace_key: str | None = None
    deleted: bool = False


@dataclass(frozen=True, slots=True)
class ProductChanges:
    """One validated notification: products to upsert and product ids to delete."""

    customer_id: str
    upserts: tuple[CustomerProduct, ...]
    deletions: tuple[str, ...]

    @classmethod
    def of(
        cls,
        customer_id: str,
        upserts: Sequence[CustomerProduct],
        deletions: Sequence[str],
    ) -> ProductChanges:
        """Validate a notification for ``customer_id``.

        Raises:
            InvalidInput: ``INVALID_REQUEST`` listing every problem: nothing to change, a
                product of another customer, blank or duplicated ids, an empty name, or an id
                both upserted and deleted.
        """
        problems = [*_upsert_problems(customer_id, upserts), *_deletion_problems(deletions)]
        both = {p.product_id for p in upserts}.intersection(deletions)
        problems += [
            FieldProblem("deleteProductIds", "CONFLICTING_CHANGE", f"{pid} is also upserted")
            for pid in sorted(both)
        ]
        if not upserts and not deletions:
            problems.append(
                FieldProblem("products", "REQUIRED", "products or deleteProductIds is required")
            )
        if problems:
            message = "; ".join(f"{p.field}: {p.message}" for p in problems)
            raise InvalidInput(message, code="INVALID_REQUEST", problems=tuple(problems))
        return cls(customer_id, tuple(upserts), tuple(dict.fromkeys(deletions)))


def _bad_id(value: str) -> bool:
    return not value.strip() or len(value) > _MAX_ID


def _upsert_problems(customer_id: str, upserts: Sequence[CustomerProduct]) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    seen: set[str] = set()
    for index, product in enumerate(upserts):
        at = f"products[{index}]"
        if _bad_id(product.product_id):
            problems.append(FieldProblem(f"{at}.id", "INVALID_VALUE", "id must not be blank"))
        elif product.product_id in seen:
            problems.append(FieldProblem(f"{at}.id", "DUPLICATE", "id appears twice"))
        seen.add(product.product_id)
        if product.customer_id != customer_id:
            problems.append(
                FieldProblem(
                    f"{at}.customerId", "CUSTOMER_MISMATCH", "customerId differs from the path"
                )
            )
        if product.name.is_empty():
            problems.append(FieldProblem(f"{at}.name", "REQUIRED", "name needs a translation"))
        for name, value in (
            ("partnerProduct", product.partner_product),
            ("ledgerTypeId", product.ledger_type_id),
        ):
            if not value.strip():
                problems.append(FieldProblem(f"{at}.{name}", "REQUIRED", f"{name} is blank"))
    return problems


def _deletion_problems(deletions: Sequence[str]) -> list[FieldProblem]:
    return [
        FieldProblem(f"deleteProductIds[{index}]", "INVALID_VALUE", "id must not be blank")
        for index, product_id in enumerate(deletions)
        if _bad_id(product_id)
    ]
