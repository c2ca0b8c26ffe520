//! Multi-row inserts: the rows of one table for a whole meeting go to the database in one
//! statement (in chunks), instead of one round trip per row.

use sqlx::{AnyConnection, AssertSqlSafe};

use crate::Result;

/// A column value.
pub(crate) enum V {
    T(Option<String>),
    I(Option<i64>),
}

impl From<&str> for V {
    fn from(s: &str) -> Self {
        V::T(Some(s.to_string()))
    }
}
impl From<String> for V {
    fn from(s: String) -> Self {
        V::T(Some(s))
    }
}
impl From<Option<String>> for V {
    fn from(s: Option<String>) -> Self {
        V::T(s)
    }
}
impl From<Option<&str>> for V {
    fn from(s: Option<&str>) -> Self {
        V::T(s.map(str::to_string))
    }
}
impl From<i64> for V {
    fn from(n: i64) -> Self {
        V::I(Some(n))
    }
}
impl From<Option<i64>> for V {
    fn from(n: Option<i64>) -> Self {
        V::I(n)
    }
}

/// Rows waiting to be inserted into one table. Table and column names are fixed strings of
/// this crate, never input.
pub(crate) struct Rows {
    table: &'static str,
    columns: &'static [&'static str],
    rows: Vec<Vec<V>>,
}

/// Stay well below SQLite's and PostgreSQL's limits on parameters per statement.
const MAX_PARAMS: usize = 900;

impl Rows {
    pub(crate) fn new(table: &'static str, columns: &'static [&'static str]) -> Self {
        Self {
            table,
            columns,
            rows: Vec::new(),
        }
    }

    pub(crate) fn push(&mut self, row: Vec<V>) {
        debug_assert_eq!(row.len(), self.columns.len());
        self.rows.push(row);
    }

    pub(crate) async fn flush(self, conn: &mut AnyConnection) -> Result<()> {
        // SQLite takes "$N" as a named parameter and looks each name up in a list, which
        // costs time quadratic in the number of parameters; plain "?" is bound in order.
        let positional = conn.backend_name().eq_ignore_ascii_case("sqlite");
        let width = self.columns.len();
        let per_statement = (MAX_PARAMS / width).max(1);
        let mut rows = self.rows.into_iter().peekable();
        while rows.peek().is_some() {
            let chunk: Vec<Vec<V>> = rows.by_ref().take(per_statement).collect();
            let mut sql = format!(
                "INSERT INTO {} ({}) VALUES ",
                self.table,
                self.columns.join(", ")
            );
            let mut n = 0;
            for (r, _) in chunk.iter().enumerate() {
                if r > 0 {
                    sql.push_str(", ");
                }
                sql.push('(');
                for c in 0..width {
                    n += 1;
                    if c > 0 {
                        sql.push_str(", ");
                    }
                    if positional {
                        sql.push('?');
                    } else {
                        sql.push_str(&format!("${n}"));
                    }
                }
                sql.push(')');
            }
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for row in chunk {
                for v in row {
                    q = match v {
                        V::T(t) => q.bind(t),
                        V::I(i) => q.bind(i),
                    };
                }
            }
            q.execute(&mut *conn).await?;
        }
        Ok(())
    }
}
