"""The EU's SHACL validation of ELM documents, offline: the JSON-LD contexts come from a local
document loader, the shapes and the ontology from ``data/`` (the EU's files, EUPL 1.2)."""

import json
from pathlib import Path

import pyshacl
import rdflib
from rdflib.namespace import SH

from credentials.elm.nodes import EDC_CONTEXT
from rpl.lib.jsonld_loader import OfflineDocumentLoader
from rpl.lib.jsonld_strict import canonicalize

DATA = Path(__file__).parent / "data"


def read_json(name: str) -> dict:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


# The LOQ shapes' address patterns are written for Java: a leading ``(?i)`` that Python wants
# scoped, and character-class unions with ``\p{..}`` classes Python's ``re`` lacks. Each is read
# as the same pattern in Python's syntax; the files themselves stay as the EU published them.
JAVA_ONLY = {
    "^(?i)(http|https):": "^(?i:http|https):",
    r"\[[[A-Fa-f0-9]\:\.]*[%[\p{L}\p{Nl}\p{Nd}]]*\]": r"\[[A-Fa-f0-9:.]*[%\w]*\]",
}


def turtle(*names: str) -> rdflib.Graph:
    graph = rdflib.Graph()
    for name in names:
        graph.parse(DATA / name, format="turtle")
    for shape, pattern in list(graph.subject_objects(SH.pattern)):
        python = str(pattern)
        for java, same in JAVA_ONLY.items():
            python = python.replace(java, same)
        graph.set((shape, SH.pattern, rdflib.Literal(python)))
    return graph


def loader() -> OfflineDocumentLoader:
    return OfflineDocumentLoader({EDC_CONTEXT: read_json("edc-ap-context.jsonld")})


def violations(
    document: dict, shapes: rdflib.Graph, ontology: rdflib.Graph | None = None
) -> list[str]:
    """Each violation as ``path`` (nested ones as ``path/inner path``), sorted. The document is
    expanded strictly: a term the context does not define fails instead of being dropped."""
    data = rdflib.Graph().parse(data=canonicalize(document, loader()), format="nt")
    _conforms, report, _text = pyshacl.validate(
        data, shacl_graph=shapes, ont_graph=ontology, inference="none", allow_warnings=True
    )
    found = []
    for result in report.subjects(SH.resultSeverity, SH.Violation):
        if (None, SH.detail, result) in report:
            continue
        path = report.qname(report.value(result, SH.resultPath))
        inner_results = report.objects(result, SH.detail)
        details = [report.value(inner, SH.resultPath) for inner in inner_results]
        found += [f"{path}/{report.qname(inner)}" for inner in details] or [path]
    return sorted(found)
