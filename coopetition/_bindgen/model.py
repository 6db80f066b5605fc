"""The model of one ABI before code is rendered: types, structs, enums, functions, events and
errors, and the allocation of their Python names."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .._artifacts import Artifact
from ..exceptions import BindingError
from .names import (
    CONTRACT_RESERVED,
    ERROR_RESERVED,
    EVENT_RESERVED,
    MODULE_RESERVED,
    PY_RESERVED,
    STRUCT_RESERVED,
    camel,
    field_name,
    param_name,
    snake,
    type_token,
    unique,
)

__all__ = ["EnumDef", "ErrorDef", "EventDef", "FieldDef", "FunctionDef", "Model", "Param", "StructDef", "TypeRef"]


@dataclass
class EnumDef:
    qualified: str
    members: tuple[str, ...] | None
    py: str = ""


@dataclass
class FieldDef:
    sol: str
    py: str
    type: TypeRef


@dataclass
class StructDef:
    key: str
    qualified: str
    abi: str
    fields: list[FieldDef] = field(default_factory=list)
    py: str = ""


@dataclass
class TypeRef:
    abi: str
    kind: str  # "elem" | "array" | "struct" | "enum"
    base: str = ""
    elem: TypeRef | None = None
    struct: StructDef | None = None
    enum: EnumDef | None = None

    def _elem(self) -> TypeRef:
        assert self.elem is not None
        return self.elem

    def out_ann(self) -> str:
        if self.kind == "array":
            return f"tuple[{self._elem().out_ann()}, ...]"
        if self.kind == "struct":
            assert self.struct is not None
            return self.struct.py
        if self.kind == "enum":
            assert self.enum is not None
            return self.enum.py if self.enum.members is not None else "int"
        return _elem_ann(self.base)

    def in_ann(self) -> str:
        if self.kind == "array":
            return f"Sequence[{self._elem().in_ann()}]"
        return self.out_ann()

    def needs_in(self) -> bool:
        if self.kind == "array":
            return self._elem().needs_in()
        return self.kind in ("struct", "enum")

    def to_abi(self, expr: str, depth: int = 0) -> str:
        if self.kind == "array":
            elem = self._elem()
            if not elem.needs_in():
                return f"list({expr})"
            var = f"x{depth}"
            return f"[{elem.to_abi(var, depth + 1)} for {var} in {expr}]"
        if self.kind == "struct":
            return f"{expr}.to_abi()"
        if self.kind == "enum":
            return f"int({expr})"
        return expr

    def from_abi(self, expr: str, depth: int = 0) -> str:
        if self.kind == "array":
            var = f"x{depth}"
            return f"tuple({self._elem().from_abi(var, depth + 1)} for {var} in {expr})"
        if self.kind == "struct":
            assert self.struct is not None
            return f"{self.struct.py}.from_abi({expr})"
        if self.kind == "enum":
            assert self.enum is not None
            return f"{self.enum.py}({expr})" if self.enum.members is not None else f"int({expr})"
        b = self.base
        if b == "address":
            return f"checksum({expr})"
        if b.startswith(("uint", "int")):
            return f"int({expr})"
        if b == "bool":
            return f"bool({expr})"
        if b == "string":
            return f"str({expr})"
        if b.startswith(("fixed", "ufixed")):
            return f"Decimal({expr})"
        return f"bytes({expr})"

    def walk(self) -> Iterable[TypeRef]:
        yield self
        if self.elem is not None:
            yield from self.elem.walk()
        if self.struct is not None:
            for f in self.struct.fields:
                yield from f.type.walk()


def _elem_ann(base: str) -> str:
    if base in ("address", "string"):
        return "str"
    if base.startswith(("uint", "int")):
        return "int"
    if base == "bool":
        return "bool"
    if base.startswith(("fixed", "ufixed")):
        return "Decimal"
    if base == "function" or base.startswith("bytes"):
        return "bytes"
    raise BindingError(f"unsupported ABI type {base!r}")


_ELEMENTARY = re.compile(r"^(address|bool|string|bytes([1-9]|[12][0-9]|3[0-2])?|u?int(8|16|24|32|40|48|56|64|72|80|88|96|104|112|120|128|136|144|152|160|168|176|184|192|200|208|216|224|232|240|248|256)?|u?fixed(\d+x\d+)?|function)$")


@dataclass
class Param:
    sol: str
    py: str
    type: TypeRef
    indexed: bool = False
    internal: str = ""

    @property
    def decl(self) -> str:
        """``Type name`` as written in Solidity (from internalType when known)."""
        typ = re.sub(r"^(struct|enum|contract) ", "", self.internal) or self.type.abi
        return f"{typ} {self.sol}".rstrip()


@dataclass
class FunctionDef:
    entry: Mapping[str, Any]
    sol_name: str
    signature: str
    inputs: list[Param]
    outputs: list[Param]
    read: bool
    payable: bool
    py: str = ""
    result: str = ""  # name of the <Method>Result class when several outputs


@dataclass
class EventDef:
    entry: Mapping[str, Any]
    sol_name: str
    signature: str
    inputs: list[Param]
    anonymous: bool
    py_method: str = ""
    py_class: str = ""


@dataclass
class ErrorDef:
    sol_name: str
    signature: str
    inputs: list[Param]
    py: str = ""


class Model:
    """Everything parsed from one ABI, before names are allocated and code is rendered."""

    def __init__(self, art: Artifact, label: str) -> None:
        self.art = art
        self.label = label
        self.structs: dict[str, StructDef] = {}
        self.enums: dict[str, EnumDef] = {}
        self.functions: list[FunctionDef] = []
        self.events: list[EventDef] = []
        self.errors: list[ErrorDef] = []
        self.constructor: list[Param] | None = None
        for entry in art.abi:
            kind = entry.get("type", "function")
            try:
                if kind == "function":
                    self._function(entry)
                elif kind == "event":
                    self._event(entry)
                elif kind == "error":
                    self._error(entry)
                elif kind == "constructor":
                    self.constructor = self._params(entry.get("inputs", ()), "arg", param=True)
            except (KeyError, TypeError, AttributeError) as exc:
                raise BindingError(
                    f"{self.label}: malformed ABI entry {entry.get('name', kind)!r} ({exc!r})"
                ) from None

    # -- types --------------------------------------------------------------------------------

    def type_of(self, param: Mapping[str, Any]) -> TypeRef:
        typ = str(param["type"])
        internal = str(param.get("internalType") or "")
        if typ.endswith("]"):
            inner = dict(param)
            inner["type"] = typ[: typ.rindex("[")]
            if internal.endswith("]"):
                inner["internalType"] = internal[: internal.rindex("[")]
            elem = self.type_of(inner)
            return TypeRef(abi=f"{elem.abi}{typ[typ.rindex('['):]}", kind="array", elem=elem)
        if typ == "tuple":
            return self._struct(param, internal)
        if internal.startswith("enum ") and re.fullmatch(r"uint\d+", typ):
            qualified = internal[len("enum "):]
            enum = self.enums.get(qualified)
            if enum is None:
                members = self.art.enums.get(qualified)
                if members is None:
                    short = [v for k, v in self.art.enums.items() if k.split(".")[-1] == qualified.split(".")[-1]]
                    members = short[0] if len(short) == 1 else None
                enum = self.enums[qualified] = EnumDef(qualified, tuple(members) if members is not None else None)
            return TypeRef(abi=typ, kind="enum", base=typ, enum=enum)
        if not _ELEMENTARY.match(typ):
            raise BindingError(f"{self.label}: unsupported ABI type {typ!r}")
        return TypeRef(abi=typ, kind="elem", base=typ)

    def _struct(self, param: Mapping[str, Any], internal: str) -> TypeRef:
        components = list(param.get("components", ()))
        field_types = [self.type_of(c) for c in components]
        abi = "(" + ",".join(t.abi for t in field_types) + ")"
        if internal.startswith("struct "):
            qualified = internal[len("struct "):]
            key = qualified
        else:
            key = "tuple:" + abi
            qualified = ""
        struct = self.structs.get(key)
        if struct is None:
            if not qualified:
                base = camel(str(param.get("name") or "")) if param.get("name") else "Tuple"
                qualified = base + ("Struct" if base != "Tuple" else "")
            struct = StructDef(key=key, qualified=qualified, abi=abi)
            taken: set[str] = set()
            for i, (comp, ftype) in enumerate(zip(components, field_types, strict=True)):
                py = field_name(str(comp.get("name") or ""), i, "field", STRUCT_RESERVED, taken)
                struct.fields.append(FieldDef(sol=str(comp.get("name") or ""), py=py, type=ftype))
            self.structs[key] = struct
        return TypeRef(abi=abi, kind="struct", struct=struct)

    def _params(self, params: Iterable[Mapping[str, Any]], prefix: str, *, param: bool,
                reserved: set[str] | None = None) -> list[Param]:
        taken: set[str] = set()
        out: list[Param] = []
        for i, p in enumerate(params):
            raw = str(p.get("name") or "")
            if param:
                py = param_name(raw, i, prefix, taken)
            else:
                py = field_name(raw, i, prefix, reserved or set(), taken)
            out.append(Param(sol=raw, py=py, type=self.type_of(p), indexed=bool(p.get("indexed")),
                              internal=str(p.get("internalType") or "")))
        return out

    # -- entries ------------------------------------------------------------------------------

    def _function(self, entry: Mapping[str, Any]) -> None:
        mut = entry.get("stateMutability")
        if mut is None:
            mut = "view" if entry.get("constant") else ("payable" if entry.get("payable") else "nonpayable")
        inputs = self._params(entry.get("inputs", ()), "arg", param=True)
        outputs = self._params(entry.get("outputs", ()) or (), "out", param=False)
        sig = f"{entry['name']}({','.join(p.type.abi for p in inputs)})"
        self.functions.append(FunctionDef(
            entry=entry, sol_name=str(entry["name"]), signature=sig, inputs=inputs, outputs=outputs,
            read=mut in ("view", "pure"), payable=mut == "payable",
        ))

    def _event(self, entry: Mapping[str, Any]) -> None:
        inputs = self._params(entry.get("inputs", ()), "arg", param=False, reserved=EVENT_RESERVED)
        sig = f"{entry['name']}({','.join(p.type.abi for p in inputs)})"
        self.events.append(EventDef(entry=entry, sol_name=str(entry["name"]), signature=sig,
                                  inputs=inputs, anonymous=bool(entry.get("anonymous"))))

    def _error(self, entry: Mapping[str, Any]) -> None:
        inputs = self._params(entry.get("inputs", ()), "arg", param=False, reserved=ERROR_RESERVED)
        sig = f"{entry['name']}({','.join(p.type.abi for p in inputs)})"
        if any(e.signature == sig for e in self.errors):
            return  # the same error inherited twice
        self.errors.append(ErrorDef(sol_name=str(entry["name"]), signature=sig, inputs=inputs))

    # -- names --------------------------------------------------------------------------------

    def allocate(self) -> None:
        art = self.art
        contract_py = camel(art.contract_name)
        if contract_py in MODULE_RESERVED:
            contract_py += "Contract"
        self.contract_py = contract_py
        self.events_py = f"{contract_py}Events"
        taken = set(MODULE_RESERVED) | {contract_py, self.events_py}

        def scoped(qualified: str) -> tuple[str, str]:
            parts = qualified.split(".")
            return camel(parts[-1]), camel("".join(camel(p) for p in parts))

        # structs and enums: short names unless two share one
        kinds: list[tuple[str, Any]] = [("struct", s) for s in self.structs.values()]
        kinds += [("enum", e) for e in self.enums.values() if e.members is not None]
        shorts: dict[str, int] = {}
        for _, obj in kinds:
            short, _ = scoped(obj.qualified)
            shorts[short] = shorts.get(short, 0) + 1
        for _, obj in kinds:
            short, long = scoped(obj.qualified)
            name = short if shorts[short] == 1 and short not in taken else long
            obj.py = unique(name, taken)

        # functions (overloads by types), result classes
        counts: dict[str, int] = {}
        for fn in self.functions:
            counts[fn.sol_name] = counts.get(fn.sol_name, 0) + 1
        method_taken = set(CONTRACT_RESERVED) | PY_RESERVED
        for fn in self.functions:
            base = snake(fn.sol_name) or "call"
            if counts[fn.sol_name] > 1:
                tokens = [type_token(p) for p in fn.entry.get("inputs", ())]
                base = f"{base}_{'_'.join(tokens) if tokens else 'noargs'}"
            if base in CONTRACT_RESERVED or base in PY_RESERVED:
                base += "_"
            fn.py = unique(base, method_taken)
        for fn in self.functions:
            if not fn.read:
                enc = f"encode_{fn.py}"
                if enc in method_taken:
                    raise BindingError(
                        f"{self.label}: generated name {enc} is also a function name; rename one"
                    )
                method_taken.add(enc)
        for fn in self.functions:
            if fn.read and len(fn.outputs) > 1:
                fn.result = unique(f"{camel(fn.py)}Result", taken)

        # events
        ecounts: dict[str, int] = {}
        for ev in self.events:
            ecounts[ev.sol_name] = ecounts.get(ev.sol_name, 0) + 1
        event_taken: set[str] = set(PY_RESERVED)
        for ev in self.events:
            base = snake(ev.sol_name) or "event"
            if ecounts[ev.sol_name] > 1:
                tokens = [type_token(p) for p in ev.entry.get("inputs", ())]
                base = f"{base}_{'_'.join(tokens) if tokens else 'noargs'}"
            ev.py_method = unique(base, event_taken)
            ev.py_class = unique(f"{camel(ev.py_method)}Event", taken)

        # errors
        for er in self.errors:
            name = camel(er.sol_name)
            if name in taken:
                name += "Error"
            er.py = unique(name, taken)
