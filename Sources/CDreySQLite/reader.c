#include "CDreySQLite.h"

#include <stdio.h>

// As sqlite3.h declares them (variadic, or taking a destructor).
int sqlite_nio_sqlite3_open_v2(const char *filename, sqlite3 **db, int flags, const char *vfs);
int sqlite_nio_sqlite3_busy_timeout(sqlite3 *db, int milliseconds);
int sqlite_nio_sqlite3_db_config(sqlite3 *db, int op, ...);
int sqlite_nio_sqlite3_exec(sqlite3 *db, const char *sql, int (*callback)(void *, int, char **, char **), void *argument,
    char **error);
void sqlite_nio_sqlite3_free(void *memory);
int sqlite_nio_sqlite3_bind_text64(sqlite3_stmt *statement, int index, const char *text, uint64_t length,
    void (*destructor)(void *), unsigned char encoding);
int sqlite_nio_sqlite3_bind_blob64(sqlite3_stmt *statement, int index, const void *bytes, uint64_t length,
    void (*destructor)(void *));

#define DREY_SQLITE_OPEN_READONLY 0x00000001
#define DREY_SQLITE_OPEN_NOMUTEX 0x00008000
#define DREY_SQLITE_DBCONFIG_ENABLE_QPSG 1007
#define DREY_SQLITE_UTF8 1
#define DREY_SQLITE_TRANSIENT ((void (*)(void *))-1)

sqlite3 *drey_sqlite_open_reader(const char *path, char *error, int errorLength) {
    sqlite3 *db = NULL;
    int rc = sqlite_nio_sqlite3_open_v2(path, &db, DREY_SQLITE_OPEN_READONLY | DREY_SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != DREY_SQLITE_OK) {
        snprintf(error, (size_t)errorLength, "%s", db ? sqlite_nio_sqlite3_errmsg(db) : "out of memory");
        if (db) sqlite_nio_sqlite3_close_v2(db);
        return NULL;
    }
    sqlite_nio_sqlite3_busy_timeout(db, 10000);
    int enabled = 0;
    sqlite_nio_sqlite3_db_config(db, DREY_SQLITE_DBCONFIG_ENABLE_QPSG, 1, &enabled);
    char *message = NULL;
    if (sqlite_nio_sqlite3_exec(db, "PRAGMA cache_size=-1000", NULL, NULL, &message) != DREY_SQLITE_OK || !enabled) {
        snprintf(error, (size_t)errorLength, "%s", message ? message : "the query planner could not be fixed (QPSG)");
        sqlite_nio_sqlite3_free(message);
        sqlite_nio_sqlite3_close_v2(db);
        return NULL;
    }
    return db;
}

int drey_sqlite_bind_text(sqlite3_stmt *statement, int index, const char *text, uint64_t length) {
    return sqlite_nio_sqlite3_bind_text64(statement, index, text, length, DREY_SQLITE_TRANSIENT, DREY_SQLITE_UTF8);
}

int drey_sqlite_bind_blob(sqlite3_stmt *statement, int index, const void *bytes, uint64_t length) {
    return sqlite_nio_sqlite3_bind_blob64(statement, index, bytes, length, DREY_SQLITE_TRANSIENT);
}
