"""Generate a typed Python module from a contract artifact (``coopetition bindings``).

Input: a coopetition artifact (``coopetition/artifacts/<Name>.json``), a Hardhat artifact
(``abi`` + ``contractName``), a Foundry artifact (``out/X.sol/X.json``: ``abi``, ``metadata``, ``ast``)
or a bare ABI list (the contract is named after the file). Output: one module per contract with

* one frozen dataclass per struct (named after the struct), with ``from_abi``/``to_abi``;
* one ``IntEnum`` per enum whose member names are known (coopetition artifacts carry an ``enums``
  table, Foundry artifacts an AST); without member names an enum is typed as plain ``int``;
* one exception class per custom error, subclass of
  :class:`~coopetition.exceptions.ContractCustomError`, named after the error and registered with
  :func:`~coopetition._abi.register_errors` at import;
* one frozen ``<Event>Event`` dataclass per event (``from_decoded``/``from_result``) and a
  ``<Contract>Events`` accessor with a typed query per event: ``contract.events.shape_added(...)``;
* a ``<Method>Result`` frozen dataclass for every read returning several values;
* one :class:`~coopetition._runtime.BoundContract` subclass named after the contract: reads
  (``view``/``pure``) return typed values and take a keyword-only ``block_identifier``; writes build a
  :class:`~coopetition._seam.PendingCall` and return the sender's
  :class:`~coopetition._seam.TxResult` (payable ones take a keyword-only ``value``); every write
  also has a static ``encode_<method>(...) -> bytes`` returning its calldata (for governance
  proposals), and ``encode_deploy_args(...)`` encodes constructor arguments.

Naming rules (stable, so user code can rely on them):

* methods, parameters and fields are the snake_case of the Solidity name (leading underscores
  dropped; ``arg<i>``/``out<i>`` when unnamed). A parameter that is a Python keyword or builtin,
  ``value``/``block_identifier``/``from_block``/``to_block``, or a name the generated code uses,
  gets a trailing underscore (``from`` → ``from_``, ``id`` → ``id_``); a field only when it is a
  keyword or clashes with a generated attribute.
* **Overloads**: when several functions (or events) share a Solidity name, each is named
  ``<snake_name>_<types>``, the canonical parameter types joined by ``_`` with ``T[]`` written
  ``T_array``, ``T[3]`` written ``T_array3`` and a struct written ``tuple``; no parameters gives
  ``<snake_name>_noargs``. ``deposit()``/``deposit(address)`` become ``deposit_noargs`` and
  ``deposit_address``; ``find(uint256)``/``find(string,uint256)`` become ``find_uint256`` and
  ``find_string_uint256``. If two names still clash, later ones (in ABI order) get ``_2``, ``_3``.
* a name that clashes with an attribute of the base class gets a trailing underscore; a class name
  that clashes with another generated or imported name is prefixed with its Solidity scope
  (``Fixture.Point`` → ``FixturePoint``), an error class clashing that way gets an ``Error`` suffix.

Type mapping: ``address`` → ``str`` (checksummed on the way out), ``(u)intN`` → ``int``, ``bool``,
``bytes``/``bytesN`` → ``bytes``, ``string`` → ``str``, ``T[]``/``T[k]`` → ``Sequence[T]`` in
parameters and ``tuple[T, ...]`` in results, tuples → the struct dataclass, enums → the IntEnum.
"""

from __future__ import annotations

from .generate import (
    ALL_REGENERATE,
    check_bindings,
    check_written,
    generate_all,
    generate_binding,
    package_artifacts_dir,
    package_bindings_dir,
    plan_bindings,
    write_bindings,
)
from .names import module_name
from .render import HEADER_PREFIX

__all__ = [
    "ALL_REGENERATE",
    "HEADER_PREFIX",
    "check_bindings",
    "check_written",
    "generate_all",
    "generate_binding",
    "module_name",
    "package_artifacts_dir",
    "package_bindings_dir",
    "plan_bindings",
    "write_bindings",
]
