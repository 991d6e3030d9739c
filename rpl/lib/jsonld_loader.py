"""An offline PyLD document loader for the JSON-LD contexts the project ships, free of Django.

The loader resolves exactly the URLs listed in ``credentials/contexts/manifest.json`` (each file's
SHA-256 is checked when it is first read) plus any ``url -> document`` mapping the caller adds, such
as the application's own extension context. Any other URL raises :class:`ContextNotAllowedError`
naming it. The network is never used: a credential's meaning must not depend on what a remote
server returns on the day it is signed or verified.

Contexts are processed once per loader: documents are handed to PyLD with its ``static`` tag, so
its resolver keeps them, and :mod:`rpl.lib.jsonld_strict` keeps the active contexts it builds in
:attr:`OfflineDocumentLoader.processed_contexts`. A loader is memoised by the content of its extra
contexts (:func:`get_loader`), so nothing one loader resolved is ever used by another.
"""

import copy
import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from pyld.context_resolver import ContextResolver

CONTEXTS_DIR = Path(__file__).resolve().parents[2] / "credentials" / "contexts"
MANIFEST = "manifest.json"

CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3P0_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
DATA_INTEGRITY_V2 = "https://w3id.org/security/data-integrity/v2"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"
DID_V1 = "https://www.w3.org/ns/did/v1"
CID_V1 = "https://www.w3.org/ns/cid/v1"


class _BoundedCache(OrderedDict):
    """A small LRU mapping for PyLD's ContextResolver (documents may carry inline contexts)."""

    def __init__(self, maxsize: int):
        super().__init__()
        self.maxsize = maxsize
        self._lock = threading.RLock()

    def get(self, key, default=None):
        with self._lock:
            if key in self:
                self.move_to_end(key)
                return self[key]
            return default

    def __setitem__(self, key, value):
        with self._lock:
            super().__setitem__(key, value)
            self.move_to_end(key)
            while len(self) > self.maxsize:
                self.popitem(last=False)


class ContextNotAllowedError(ValueError):
    """A JSON-LD document referred to a context URL that is not shipped with the project."""

    def __init__(self, url: str):
        self.url = url
        super().__init__(
            f"JSON-LD context {url!r} is not available offline: only the contexts listed in "
            f"credentials/contexts/manifest.json (or passed as extra contexts) can be used, "
            f"and the network is never consulted"
        )


class ContextIntegrityError(RuntimeError):
    """A shipped context file does not match the SHA-256 recorded in the manifest."""


def _read_manifest(contexts_dir: Path) -> dict[str, dict[str, Any]]:
    manifest = json.loads((contexts_dir / MANIFEST).read_text(encoding="utf-8"))
    documents: dict[str, dict[str, Any]] = {}
    for entry in manifest["contexts"]:
        raw = (contexts_dir / entry["file"]).read_bytes()
        digest = hashlib.sha256(raw).hexdigest()
        if digest != entry["sha256"]:
            raise ContextIntegrityError(
                f"{entry['file']} has sha256 {digest}, but the manifest records {entry['sha256']}"
            )
        documents[entry["url"]] = json.loads(raw)
    return documents


@cache
def shipped_contexts(contexts_dir: Path = CONTEXTS_DIR) -> Mapping[str, dict[str, Any]]:
    """The shipped contexts, ``url -> parsed document``, read once and integrity-checked."""
    return MappingProxyType(_read_manifest(contexts_dir))


def _check_extra(extra: Mapping[str, Any], shipped: Mapping[str, Any]) -> None:
    for url, document in extra.items():
        if not isinstance(url, str) or not url.startswith(("https://", "http://", "urn:")):
            raise ValueError(f"extra context key {url!r} is not an absolute URL")
        if not isinstance(document, Mapping) or "@context" not in document:
            raise ValueError(f"extra context {url!r} must be a JSON object with an @context")
        if url in shipped and shipped[url] != document:
            raise ValueError(
                f"extra context {url!r} would replace the shipped copy with different content"
            )


class OfflineDocumentLoader:
    """A PyLD ``documentLoader``: ``loader(url, options) -> RemoteDocument``.

    Use :meth:`options` to get the keyword options for PyLD calls: they include a context
    resolver with a cache private to this loader, so a context resolved through another loader
    (PyLD's default cache is process-wide and keyed by URL alone) is never reused here.
    """

    def __init__(
        self,
        extra_contexts: Mapping[str, Mapping[str, Any]] | None = None,
        contexts_dir: Path = CONTEXTS_DIR,
    ):
        shipped = shipped_contexts(contexts_dir)
        extra = dict(extra_contexts or {})
        _check_extra(extra, shipped)
        self._documents: dict[str, Any] = {**shipped, **copy.deepcopy(extra)}
        self._resolved_cache = _BoundedCache(maxsize=128)
        # Immutable active contexts, filled by rpl.lib.jsonld_strict. PyLD's own caches
        # (cachetools LRUs) are not thread-safe: context processing that misses holds the lock.
        self.processed_contexts = _BoundedCache(maxsize=512)
        self.processing_lock = threading.RLock()

    @property
    def urls(self) -> frozenset[str]:
        return frozenset(self._documents)

    def __call__(self, url: str, options: dict | None = None) -> dict[str, Any]:
        try:
            document = self._documents[url]
        except (KeyError, TypeError):
            raise ContextNotAllowedError(url) from None
        return {
            "contentType": "application/ld+json",
            "contextUrl": None,
            "documentUrl": url,
            # PyLD rewrites relative URLs inside the context it is given: hand out a copy.
            "document": _loaded_copy(document),
            # The content behind a URL never changes for this loader: PyLD may keep it resolved.
            "tag": "static",
        }

    def options(self) -> dict[str, Any]:
        """``documentLoader`` and ``contextResolver`` options for one PyLD operation."""
        return {
            "documentLoader": self,
            "contextResolver": ContextResolver(self._resolved_cache, self),
        }


class LoadedObject(dict):
    """A JSON object of a context document as a loader hands it out, each time a new copy.

    PyLD keeps what it resolved unchanged, so :mod:`rpl.lib.jsonld_strict` may reuse the
    processing of such an object by its identity; a document's own objects are plain dicts.
    """


class LoadedArray(list):
    """A JSON array of a context document as a loader hands it out (see :class:`LoadedObject`)."""


def _loaded_copy(value: Any) -> Any:
    if isinstance(value, Mapping):
        return LoadedObject((key, _loaded_copy(item)) for key, item in value.items())
    if isinstance(value, list):
        return LoadedArray(_loaded_copy(item) for item in value)
    return value


_loaders: OrderedDict[str, OfflineDocumentLoader] = OrderedDict()
_loaders_lock = threading.Lock()
_MAX_LOADERS = 16


def _fingerprint(extra: Mapping[str, Any] | None) -> str:
    payload = json.dumps(extra or {}, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def get_loader(
    extra_contexts: Mapping[str, Mapping[str, Any]] | None = None,
) -> OfflineDocumentLoader:
    """A loader for the shipped contexts plus ``extra_contexts``, memoised by their content.

    Reusing a loader reuses its resolved-context cache, which makes repeated signing and
    verification with the same contexts much cheaper.
    """
    key = _fingerprint(extra_contexts)
    with _loaders_lock:
        loader = _loaders.get(key)
        if loader is not None:
            _loaders.move_to_end(key)
            return loader
    loader = OfflineDocumentLoader(extra_contexts)
    with _loaders_lock:
        _loaders[key] = loader
        while len(_loaders) > _MAX_LOADERS:
            _loaders.popitem(last=False)
    return loader


def find_cause(exc: BaseException, kind: type[BaseException]) -> BaseException | None:
    """The first exception of type ``kind`` in ``exc``'s cause/context chain (PyLD wraps them)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, kind):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None
