#ifndef DREY_CDREYSQLITE_H
#define DREY_CDREYSQLITE_H
#include <stdint.h>

// The SQLite that sqlite-nio compiles into the binary (its functions carry a `sqlite_nio_` prefix), reached directly
// for the store's reads: sqlite-nio prepares every statement anew and keeps no statement cache. The same library
// copy as sqlite-nio's connections, so both share SQLite's per-file lock bookkeeping (two copies of SQLite in one
// process would each drop the other's POSIX locks). Only what `SQLiteReads` uses is declared, as sqlite3.h does.

typedef struct sqlite3 sqlite3;
typedef struct sqlite3_stmt sqlite3_stmt;

/// Opens `path` read-only for one thread at a time, with the settings every read connection shares: a sleeping busy
/// handler, a 1 MB page cache (the system's file cache holds the rest), and a query plan fixed when a statement is prepared (without it, SQLite
/// 3.54 re-prepares a statement whose bound values its planner looked at, on every new value). NULL on failure,
/// with the reason in `error`.
sqlite3 *drey_sqlite_open_reader(const char *path, char *error, int errorLength);

int sqlite_nio_sqlite3_close_v2(sqlite3 *db);
int sqlite_nio_sqlite3_prepare_v3(sqlite3 *db, const char *sql, int length, unsigned int flags, sqlite3_stmt **statement,
    const char **tail);
int sqlite_nio_sqlite3_bind_int64(sqlite3_stmt *statement, int index, int64_t value);
int sqlite_nio_sqlite3_bind_double(sqlite3_stmt *statement, int index, double value);
int sqlite_nio_sqlite3_bind_null(sqlite3_stmt *statement, int index);
/// Text and blobs are copied by SQLite (SQLITE_TRANSIENT).
int drey_sqlite_bind_text(sqlite3_stmt *statement, int index, const char *text, uint64_t length);
int drey_sqlite_bind_blob(sqlite3_stmt *statement, int index, const void *bytes, uint64_t length);
int sqlite_nio_sqlite3_bind_parameter_count(sqlite3_stmt *statement);
int sqlite_nio_sqlite3_step(sqlite3_stmt *statement);
int sqlite_nio_sqlite3_reset(sqlite3_stmt *statement);
int sqlite_nio_sqlite3_clear_bindings(sqlite3_stmt *statement);
int sqlite_nio_sqlite3_finalize(sqlite3_stmt *statement);
int sqlite_nio_sqlite3_stmt_readonly(sqlite3_stmt *statement);
int sqlite_nio_sqlite3_column_count(sqlite3_stmt *statement);
const char *sqlite_nio_sqlite3_column_name(sqlite3_stmt *statement, int column);
int sqlite_nio_sqlite3_column_type(sqlite3_stmt *statement, int column);
int64_t sqlite_nio_sqlite3_column_int64(sqlite3_stmt *statement, int column);
double sqlite_nio_sqlite3_column_double(sqlite3_stmt *statement, int column);
const unsigned char *sqlite_nio_sqlite3_column_text(sqlite3_stmt *statement, int column);
const void *sqlite_nio_sqlite3_column_blob(sqlite3_stmt *statement, int column);
int sqlite_nio_sqlite3_column_bytes(sqlite3_stmt *statement, int column);
const char *sqlite_nio_sqlite3_errmsg(sqlite3 *db);
/// Non-zero when the connection is outside a transaction.
int sqlite_nio_sqlite3_get_autocommit(sqlite3 *db);

enum {
    DREY_SQLITE_OK = 0,
    DREY_SQLITE_ROW = 100,
    DREY_SQLITE_DONE = 101,
    DREY_SQLITE_INTEGER = 1,
    DREY_SQLITE_FLOAT = 2,
    DREY_SQLITE_TEXT = 3,
    DREY_SQLITE_BLOB = 4,
    DREY_SQLITE_NULL = 5,
    DREY_SQLITE_PREPARE_PERSISTENT = 1,
};

#endif
