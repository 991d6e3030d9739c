from rpl.lib import hashchain


def _chain(n):
    links, prev = [], hashchain.GENESIS
    for seq in range(1, n + 1):
        content = {"sequence": seq, "action": f"a{seq}"}
        digest = hashchain.link_hash(content, prev)
        links.append(hashchain.Link(seq, content, prev, digest, f"#{seq}"))
        prev = digest
    return links


def test_it_accepts_an_intact_chain():
    links = _chain(5)
    assert hashchain.first_break(links, head_sequence=5, head_hash=links[-1].hash) is None


def test_it_accepts_an_empty_chain():
    assert hashchain.first_break([], head_sequence=0, head_hash=hashchain.GENESIS) is None


def test_it_hashes_independently_of_key_order():
    assert hashchain.link_hash({"a": 1, "b": 2}, "x") == hashchain.link_hash({"b": 2, "a": 1}, "x")


def test_it_reports_the_first_altered_link():
    links = _chain(5)
    links[2] = hashchain.Link(
        3, {"sequence": 3, "action": "forged"}, links[2].prev_hash, links[2].hash, "#3"
    )
    broken = hashchain.first_break(links)
    assert broken.sequence == 3
    assert "altered" in broken.reason


def test_it_reports_a_missing_link():
    links = _chain(5)
    del links[1]
    assert hashchain.first_break(links).sequence == 2


def test_it_reports_a_recomputed_forgery_through_the_next_link():
    links = _chain(4)
    content = {"sequence": 2, "action": "forged"}
    forged_hash = hashchain.link_hash(content, links[1].prev_hash)
    links[1] = hashchain.Link(2, content, links[1].prev_hash, forged_hash, "#2")
    broken = hashchain.first_break(links)
    assert broken.sequence == 3
    assert "link to the previous event" in broken.reason
