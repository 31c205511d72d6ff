"""A transaction that cannot begin does not keep the store's lock."""

import pytest


def test_a_transaction_that_cannot_begin_does_not_keep_the_store_lock(env):
    import sqlite3
    import threading

    app, _, _ = env
    store = app.store
    # BEGIN inside a transaction fails
    with store.transaction(), pytest.raises(sqlite3.OperationalError), store.transaction():
        pass
    got = []

    def other_thread():
        ok = store.lock.acquire(timeout=2)
        got.append(ok)
        if ok:
            store.lock.release()

    t = threading.Thread(target=other_thread)
    t.start()
    t.join()
    assert got == [True]
