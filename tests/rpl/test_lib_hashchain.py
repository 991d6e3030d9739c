from rpl.lib import hashchain


def test_it_hashes_independently_of_key_order():
    assert hashchain.link_hash({"a": 1, "b": 2}, "x") == hashchain.link_hash({"b": 2, "a": 1}, "x")


def test_it_chains_each_hash_to_the_previous_one():
    content = {"sequence": 1, "action": "a"}
    assert hashchain.link_hash(content, hashchain.GENESIS) != hashchain.link_hash(content, "f" * 64)
