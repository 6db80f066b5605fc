"""click parameter types for values a consortium admin types: addresses and account names.

Each calls ``self.fail`` with one line on malformed input, so click prints ``Error: ...`` and exits 2
without a traceback. Nothing here imports web3 at module import time.
"""

from __future__ import annotations

import re
from typing import Any

import click

__all__ = ["ACCOUNT_NAME", "ADDRESS", "AccountNameType", "AddressType"]

_HEX40 = re.compile(r"^0x[0-9a-fA-F]{40}$")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class AddressType(click.ParamType[str]):
    """An Ethereum address, returned EIP-55 checksummed.

    All-lowercase or all-uppercase hex is accepted and checksummed; mixed case must be a valid
    checksum, since a wrong one usually means a typo."""

    name = "address"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        text = str(value).strip()
        if not _HEX40.match(text):
            self.fail(f"{text!r} is not an address: expected 0x followed by 40 hex digits", param, ctx)
        from eth_utils.address import to_checksum_address

        checksummed = str(to_checksum_address(text))
        digits = text[2:]
        if digits != digits.lower() and digits != digits.upper() and checksummed != text:
            self.fail(f"{text} has a wrong EIP-55 checksum (mixed case): check for a typo", param, ctx)
        return checksummed


class AccountNameType(click.ParamType[str]):
    """A keystore name: 1-64 letters, digits, '_', '-', '.', not only digits, not starting with 0x."""

    name = "name"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        text = str(value).strip()
        if not _NAME.match(text) or text.lower().startswith("0x") or text.isdigit():
            self.fail(
                f"{text!r} is not a valid account name: use 1-64 letters, digits, '_', '-' or '.', "
                "starting with a letter or digit (not 0x, not only digits)",
                param, ctx,
            )
        return text


ADDRESS = AddressType()
ACCOUNT_NAME = AccountNameType()
