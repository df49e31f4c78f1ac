#ifndef CSQLITE_SHIM_H
#define CSQLITE_SHIM_H

#include <sqlite3.h>

/* The few SQLite settings the state store needs that GRDB does not expose and that Swift
   cannot set itself: sqlite3_db_config is a variadic function. */

/// Wraps sqlite3_db_config(SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE): with `on`, closing the last
/// connection leaves the WAL as it is instead of checkpointing it (two fsyncs) and deleting it,
/// which every short-lived `send` would otherwise pay. Checkpoints still happen automatically
/// once the WAL reaches its size limit. Returns an SQLite result code.
static inline int csqlite_no_checkpoint_on_close(sqlite3 *db, int on) {
#ifdef SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE
    return sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, on, (int *)0);
#else
    (void)db; (void)on;
    return SQLITE_OK;
#endif
}

#endif
