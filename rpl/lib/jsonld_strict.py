"""Strict JSON-LD expansion and RDFC-1.0 canonicalisation with PyLD, free of Django.

JSON-LD processors silently drop what they cannot map to an IRI: a misspelt or undefined term, a
relative ``id``, a ``type`` that no context defines. For a signed credential that is dangerous in
both directions: the issuer signs less than it shows, and anyone can add undefined properties to a
signed document without breaking its signature. Here every such loss is an error instead:

- a key that no active context defines (PyLD reports it as a dropped property; the term is named);
- a ``type`` value that expands to no absolute IRI (an undefined class name);
- a term that only expands through the VC 2.0 "issuer-dependent" ``@vocab`` fallback;
- a relative IRI in ``id`` or in an ``@id``-typed value, a relative datatype, a blank-node
  predicate and an explicit blank-node identifier (``_:x``), which RDF conversion would also drop
  or which could be used to build graphs that are costly to canonicalise.

Expansion uses no base IRI (PyLD would otherwise resolve relative IRIs against
``http://example.org/base/``, which jsonld.js does not do), only the offline loader, and the
canonical form is RDFC-1.0 (``URDNA2015`` in PyLD) serialised as N-Quads. Canonicalisation turns
the strict expansion into RDF directly (PyLD's ``normalize`` would expand the document again), and
every active context is processed once per loader (see :meth:`_StrictProcessor._process_context`).
"""

import re
from collections.abc import Mapping
from typing import Any

from frozendict import frozendict
from pyld.canon import URDNA2015
from pyld.identifier_issuer import IdentifierIssuer
from pyld.jsonld import JsonLdError, JsonLdProcessor, _is_absolute_iri

from rpl.lib.jsonld_loader import (
    ContextNotAllowedError,
    LoadedArray,
    LoadedObject,
    OfflineDocumentLoader,
    find_cause,
)

ISSUER_DEPENDENT = "https://www.w3.org/ns/credentials/issuer-dependent#"
_ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:\S*$")
_CONTAINER_KEYWORDS = ("@graph", "@list", "@set", "@included", "@reverse")
_UNDEFINED = object()
_MAX_CONTEXT_URLS = 8


class JsonLdStrictError(ValueError):
    """The document is not something this project will sign or accept as signed."""


class UndefinedTermError(JsonLdStrictError):
    """A property name or type value that no JSON-LD context in effect defines."""

    def __init__(self, term: str, detail: str = ""):
        self.term = term
        message = f"undefined JSON-LD term {term!r}: no @context in the document defines it"
        super().__init__(message + (f" ({detail})" if detail else ""))


def _context_key(local_ctx: Any) -> Any:
    """A key for reusing the processing of ``local_ctx``, or ``None`` not to reuse it.

    URLs stand for themselves (only the loader's own can be processed). Part of a context document
    the loader handed out stands for itself by identity: PyLD keeps what it resolved unchanged.
    A document's own inline contexts, which PyLD copies on every call and which a caller may make
    as many or as large as it likes, are processed afresh each time.
    """
    if isinstance(local_ctx, str):
        return local_ctx
    if isinstance(local_ctx, LoadedObject | LoadedArray):
        return id(local_ctx)
    if (
        isinstance(local_ctx, list)
        and len(local_ctx) <= _MAX_CONTEXT_URLS
        and all(isinstance(item, str) for item in local_ctx)
    ):
        return tuple(local_ctx)
    return None


class _StrictProcessor(JsonLdProcessor):
    """PyLD's processor, recording the raw key of every property expansion drops, and reusing
    the contexts it processed with the same loader before.

    PyLD calls ``on_property_dropped`` with the *expanded* key, which is ``None`` for a term
    mapped to null or a keyword-like key; the raw key is remembered from the ``_expand_iri`` call
    that immediately precedes each notification, so that errors can name the term as written.
    """

    def __init__(self, loader: OfflineDocumentLoader) -> None:
        super().__init__(on_property_dropped=self._record_drop)
        self.dropped: list[str] = []
        self._last_vocab_key: Any = None
        self._loader = loader

    def _process_context(
        self,
        active_ctx,
        local_ctx,
        options,
        override_protected=False,
        propagate=True,
        validate_scoped=True,
        cycles=None,
    ):
        """PyLD's context processing, memoised in the loader.

        PyLD caches a processed context under the random ``_uuid`` of the active context it was
        processed in, and a type-scoped context always starts from a fresh copy, so its cache
        misses on most look-ups. Here the result is kept under the parent's ``_uuid`` and
        :func:`_context_key`; results are frozen, so the same parent object (and ``_uuid``) comes
        back for the same context chain and the whole chain is reused. ``cycles`` is only set
        while PyLD pre-validates scoped contexts inside a context being built: not reused.
        """
        flags = (override_protected, propagate, validate_scoped)
        parent = active_ctx.get("_uuid")
        content = _context_key(local_ctx)
        key = None
        if cycles is None and parent is not None and content is not None:
            key = (parent, content, options.get("base"), *flags)
            cached = self._loader.processed_contexts.get(key)
            if cached is not None:
                return cached[1]
        with self._loader.processing_lock:
            processed = super()._process_context(
                active_ctx, local_ctx, options, *flags, cycles=cycles
            )
        if key is not None and isinstance(processed, frozendict):
            # The entry holds local_ctx so that an identity key stays its own.
            self._loader.processed_contexts[key] = (local_ctx, processed)
        return processed

    def _expand_iri(self, active_ctx, value, base=None, vocab=False, local_ctx=None, defined=None):
        if vocab and local_ctx is None:
            self._last_vocab_key = value
            # PyLD's own answer for a defined term, without its keyword checks first: no term
            # can be a keyword (those start with "@" and take the full path).
            if isinstance(value, str) and not value.startswith("@"):
                mapping = active_ctx["mappings"].get(value, _UNDEFINED)
                if mapping is not _UNDEFINED:
                    return None if mapping is None else mapping["@id"]
        return super()._expand_iri(active_ctx, value, base, vocab, local_ctx, defined)

    def _record_drop(self, expanded_property: str | None) -> None:
        key = self._last_vocab_key if isinstance(self._last_vocab_key, str) else expanded_property
        self.dropped.append(str(key))


def _pyld_call(operation, *args):
    try:
        return operation(*args)
    except JsonLdError as exc:
        not_allowed = find_cause(exc, ContextNotAllowedError)
        if not_allowed is not None:
            raise not_allowed from exc
        raise JsonLdStrictError(f"invalid JSON-LD: {_describe(exc)}") from exc


def _describe(exc: BaseException) -> str:
    parts = []
    current: BaseException | None = exc
    while current is not None and len(parts) < 4:
        message = getattr(current, "message", None) or str(current).split("\n", 1)[0]
        details = getattr(current, "details", None)
        if details:
            message = f"{message} {details}"
        parts.append(message)
        current = current.__cause__
    return " <- ".join(parts)


def _is_absolute(iri: Any) -> bool:
    return isinstance(iri, str) and bool(_ABSOLUTE_IRI.match(iri)) and not iri.startswith("_:")


def _check_type(value: Any, where: str) -> None:
    if not isinstance(value, str):
        raise JsonLdStrictError(f"{where}: @type must be a string, got {value!r}")
    if value.startswith(ISSUER_DEPENDENT):
        raise UndefinedTermError(value[len(ISSUER_DEPENDENT) :], f"type at {where}")
    if not _is_absolute(value):
        raise UndefinedTermError(value, f"type at {where}")


def _check_id(value: Any, where: str) -> None:
    if isinstance(value, str) and value.startswith("_:"):
        raise JsonLdStrictError(
            f"{where}: explicit blank node identifier {value!r} is not accepted; "
            "give the node an absolute IRI or leave out its id"
        )
    if not _is_absolute(value):
        raise JsonLdStrictError(f"{where}: {value!r} is not an absolute IRI")


def _check_expanded(element: Any, where: str) -> None:
    if isinstance(element, list):
        for item in element:
            _check_expanded(item, where)
        return
    if not isinstance(element, dict):
        return
    if "@value" in element:
        datatype = element.get("@type")
        if datatype is not None and datatype != "@json" and not _is_absolute(datatype):
            raise UndefinedTermError(str(datatype), f"datatype at {where}")
        return
    for key, value in element.items():
        if key == "@id":
            _check_id(value, where)
        elif key == "@type":
            for item in value if isinstance(value, list) else [value]:
                _check_type(item, where)
        elif key in _CONTAINER_KEYWORDS:
            _check_expanded(value, f"{where}/{key}")
        elif key.startswith("@"):
            continue  # @index, @language, @direction: no IRIs to lose
        else:
            if key.startswith(ISSUER_DEPENDENT):
                raise UndefinedTermError(key[len(ISSUER_DEPENDENT) :], f"property at {where}")
            if not _is_absolute(key):
                raise UndefinedTermError(key, f"property at {where}")
            _check_expanded(value, f"{where}/<{key}>")


def expand_strict(document: Mapping[str, Any], loader: OfflineDocumentLoader) -> list[Any]:
    """Expand ``document`` with ``loader``; raise if expansion would lose or invent anything."""
    if not isinstance(document, Mapping):
        raise JsonLdStrictError("a JSON-LD document must be a JSON object")
    if "@context" not in document:
        raise JsonLdStrictError("the document has no @context")
    processor = _StrictProcessor(loader)
    # base=None keeps relative IRIs relative, so that they can be detected and refused.
    options = {**loader.options(), "base": None}
    expanded = _pyld_call(processor.expand, dict(document), options)
    if processor.dropped:
        names = sorted(set(processor.dropped))
        raise UndefinedTermError(
            names[0], "also undefined: " + ", ".join(names[1:]) if len(names) > 1 else ""
        )
    _check_expanded(expanded, "$")
    return expanded


class _URDNA2015(URDNA2015):
    """PyLD's RDFC-1.0, relabelling a blank node without deep-copying its term (a flat dict)."""

    def modify_first_degree_component(self, id_, component, key):
        if component["type"] != "blank node":
            return component
        return {**component, "value": "_:a" if component["value"] == id_ else "_:z"}


def _canonical_nquads(expanded: list[Any]) -> str:
    # PyLD's to_rdf after its expansion step: node map, RDF dataset, then URDNA2015. The node
    # map changes its input only to relabel a blank-node datatype, which the strict check refuses.
    processor = JsonLdProcessor()
    issuer = IdentifierIssuer("_:b")
    node_map: dict[str, Any] = {"@default": {}}
    processor._create_node_map(expanded, node_map, "@default", issuer)
    options = {"produceGeneralizedRdf": False, "processingMode": "json-ld-1.1"}
    dataset = {
        name: processor._graph_to_rdf(graph, issuer, options)
        for name, graph in sorted(node_map.items())
        if name == "@default" or _is_absolute_iri(name)
    }
    return _URDNA2015().main(dataset, {"format": "application/n-quads"})


def canonicalize(document: Mapping[str, Any], loader: OfflineDocumentLoader) -> str:
    """RDFC-1.0 canonical N-Quads of ``document``, after :func:`expand_strict` accepts it."""
    return _pyld_call(_canonical_nquads, expand_strict(document, loader))
