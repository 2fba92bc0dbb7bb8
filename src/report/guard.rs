//! `--excel`'s guard against CSV injection (CWE-1236).
//!
//! Scraped news is untrusted: a spreadsheet opening a CSV file reads a cell
//! that begins with `=`, `+`, `-` or `@` as a formula (`=HYPERLINK(…)`
//! becomes a live link), and a tab or carriage return in front does not
//! stop it. With `--excel`, every *text* cell (see [`super::columns`]) that
//! begins with one of those characters gets an apostrophe in front, the
//! OWASP rule: the spreadsheet then shows the text, apostrophe and all,
//! and evaluates nothing. Number columns are never touched: a direction of
//! `-0.5` stays a number.
//!
//! So that the guarded text can be read back exactly ([`unguard`], which
//! `report.xlsx` uses on `--excel` files), a cell made of apostrophes
//! followed by one of those characters gets one more apostrophe too; the
//! original is always the guarded cell less its first apostrophe.
//!
//! Plain CSV (without `--excel`) is never guarded: it keeps the data exact
//! for pandas, R and DuckDB.
//!
//! ```
//! use slant::report::guard::{guard, unguard};
//! assert_eq!(guard("=1+1"), "'=1+1");
//! assert_eq!(guard("-1"), "'-1");
//! assert_eq!(guard("US troops"), "US troops");
//! assert_eq!(guard("'=x"), "''=x");
//! assert_eq!(unguard("''=x"), "'=x");
//! assert_eq!(unguard("'Tis"), "'Tis");
//! ```

use std::borrow::Cow;

use super::columns::Kind;

/// The characters that make a spreadsheet read a cell as a formula when
/// they begin it (OWASP, CSV Injection).
pub const TRIGGERS: [u8; 6] = [b'=', b'+', b'-', b'@', b'\t', b'\r'];

/// Whether `cell` needs the guard: it begins with a trigger, possibly
/// after apostrophes.
fn needs_guard(cell: &[u8]) -> bool {
    let rest = cell.iter().position(|&b| b != b'\'').map(|i| &cell[i..]);
    rest.and_then(|r| r.first())
        .is_some_and(|b| TRIGGERS.contains(b))
}

/// `cell` as `--excel` writes a text cell: with an apostrophe in front if
/// a spreadsheet would read it as a formula (or it is apostrophes before
/// such a start).
pub fn guard(cell: &str) -> Cow<'_, str> {
    if needs_guard(cell.as_bytes()) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// The text of a cell [`guard`] wrote: the exact inverse.
pub fn unguard(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if needs_guard(rest.as_bytes()) => rest,
        _ => cell,
    }
}

/// Rewrites CSV `rows` (no header) with every text cell guarded; `kinds`
/// gives each column's kind, and cells past its end are text. Rows whose
/// cells need nothing come out as they went in.
pub(crate) fn guard_rows(rows: &[u8], kinds: &[Kind]) -> Vec<u8> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(rows);
    let mut writer = super::tables::csv_writer(Vec::with_capacity(rows.len() + 64));
    let mut record = csv::ByteRecord::new();
    let mut out = csv::ByteRecord::new();
    let mut cell = Vec::new();
    // The rows are slant's own, rendered by the csv crate: they parse.
    while reader.read_byte_record(&mut record).unwrap_or(false) {
        out.clear();
        for (i, field) in record.iter().enumerate() {
            let text = kinds.get(i).is_none_or(|k| *k == Kind::Text);
            if text && needs_guard(field) {
                cell.clear();
                cell.push(b'\'');
                cell.extend_from_slice(field);
                out.push_field(&cell);
            } else {
                out.push_field(field);
            }
        }
        // Writing to a Vec cannot fail.
        let _ = writer.write_byte_record(&out);
    }
    writer.into_inner().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn every_trigger_is_guarded_and_nothing_else() {
        for cell in [
            "=1+1",
            "+1",
            "-1",
            "@SUM(A1)",
            "\tx",
            "\rx",
            "=HYPERLINK(\"http://x\",\"y\")",
        ] {
            assert_eq!(guard(cell), format!("'{cell}"));
        }
        for cell in [
            "",
            "US troops",
            "<script>",
            " =1",
            "1=1",
            "'Tis",
            "'",
            "a-b",
            "\nx",
        ] {
            assert_eq!(guard(cell), cell);
        }
        // Apostrophes before a trigger: one more, so that it reads back.
        assert_eq!(guard("'=1"), "''=1");
        assert_eq!(guard("''-1"), "'''-1");
    }

    #[test]
    fn number_columns_are_untouched_and_text_columns_guarded() {
        let kinds = [Kind::Text, Kind::Decimal, Kind::Integer, Kind::Boolean];
        let rows = b"-1,-0.5000,-3,false,=x\n+a,0.2500,4,true,ok\n";
        let got = guard_rows(rows, &kinds);
        assert_eq!(
            String::from_utf8(got).unwrap(),
            "'-1,-0.5000,-3,false,'=x\n'+a,0.2500,4,true,ok\n"
        );
    }

    #[test]
    fn quoting_survives_the_guard() {
        let rows = b"\"=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",\"\rline\",\"a,b\"\n";
        let got = guard_rows(rows, &[Kind::Text; 3]);
        assert_eq!(
            String::from_utf8(got).unwrap(),
            "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",\"'\rline\",\"a,b\"\n"
        );
        // Rows that need nothing are the same bytes.
        let plain = b"a,\"b,c\",\"d \"\"e\"\"\",,\n";
        assert_eq!(guard_rows(plain, &[Kind::Text; 5]), plain);
    }

    proptest! {
        #[test]
        fn unguard_undoes_guard_and_guarded_cells_are_inert(
            cell in "['=+@\\t\\r\\n a-z0-9-]{0,8}"
        ) {
            let guarded = guard(&cell);
            prop_assert_eq!(unguard(&guarded), cell.as_str());
            let first = guarded.as_bytes().first();
            prop_assert!(first.is_none_or(|b| !TRIGGERS.contains(b)));
        }
    }
}
