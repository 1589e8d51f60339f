//! Diagnostic renderers: rustc-like text for people, JSON lines for tools, GitHub workflow
//! commands for inline pull-request annotations.

use std::collections::HashMap;
use std::io;
use std::path::PathBuf;

use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::{self, termcolor::WriteColor};
use serde::Serialize;

use crate::check::diagnostic::{Diagnostic, Lang, Severity, printable};

/// Source lines longer than this (in bytes) are not quoted under a diagnostic: a hostile file can
/// be one 256 KiB line, quoted once per problem.
pub const MAX_SNIPPET_LINE: usize = 400;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    #[default]
    Human,
    Json,
    Github,
}

/// Renders `diags` to `out`. `sources` holds the text of the files, for snippets.
pub fn render(
    out: &mut dyn WriteColor,
    diags: &[Diagnostic],
    sources: &HashMap<PathBuf, String>,
    format: Format,
    lang: Lang,
) -> io::Result<()> {
    match format {
        Format::Human => human_in_parallel(out, diags, sources, lang),
        Format::Json => {
            for d in diags {
                serde_json::to_writer(&mut *out, &JsonDiagnostic::new(d, lang))?;
                writeln!(out)?;
            }
            Ok(())
        }
        Format::Github => {
            for d in diags {
                writeln!(out, "{}", github_line(d, lang))?;
            }
            Ok(())
        }
    }
}

#[derive(Serialize)]
struct JsonDiagnostic {
    rule: &'static str,
    severity: Severity,
    file: Option<String>,
    line: Option<u32>,
    column: Option<u32>,
    end_line: Option<u32>,
    end_column: Option<u32>,
    message: String,
    help: String,
}

impl JsonDiagnostic {
    fn new(d: &Diagnostic, lang: Lang) -> Self {
        JsonDiagnostic {
            rule: d.rule(),
            severity: d.severity,
            file: d.file.as_ref().map(|f| f.display().to_string()),
            line: d.span.map(|s| s.start.line),
            column: d.span.map(|s| s.start.col),
            end_line: d.span.map(|s| s.end.line),
            end_column: d.span.map(|s| s.end.col),
            message: d.message(lang),
            help: d.help(lang),
        }
    }
}

/// `::error file=…,line=…,col=…,title=rule::message` (GitHub's workflow-command syntax, with its
/// escaping of `%`, CR and LF in data and also `:` and `,` in properties).
pub fn github_line(d: &Diagnostic, lang: Lang) -> String {
    let kind = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let prop = |s: &str| {
        s.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
            .replace(':', "%3A")
            .replace(',', "%2C")
    };
    let data = |s: &str| {
        s.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
    };
    let mut props = Vec::new();
    if let Some(f) = &d.file {
        props.push(format!(
            "file={}",
            prop(&printable(&f.display().to_string()))
        ));
    }
    if let Some(s) = d.span {
        props.push(format!("line={}", s.start.line));
        props.push(format!("col={}", s.start.col));
    }
    props.push(format!("title={}", prop(d.rule())));
    format!(
        "::{kind} {}::{}",
        props.join(","),
        data(&format!("{} — {}", d.message(lang), d.help(lang)))
    )
}

/// Files whose diagnostics are rendered together before they are written, in order.
const FILES_PER_BATCH: usize = 256;

/// [`human`], file by file on every thread, written in order: quoting the snippets took a sixth
/// of `check`'s time at 10,000 entries (3,000 diagnostics), on one thread after the others were
/// done. A batch at a time, so a flood of diagnostics is never all held in memory.
fn human_in_parallel(
    out: &mut dyn WriteColor,
    diags: &[Diagnostic],
    sources: &HashMap<PathBuf, String>,
    lang: Lang,
) -> io::Result<()> {
    use codespan_reporting::term::termcolor::{Ansi, NoColor};
    use rayon::prelude::*;
    let color = out.supports_color();
    let files: Vec<&[Diagnostic]> = diags.chunk_by(|a, b| a.file == b.file).collect();
    for batch in files.chunks(FILES_PER_BATCH) {
        let texts: Vec<io::Result<Vec<u8>>> = batch
            .par_iter()
            .map(|&diags| {
                if color {
                    let mut text = Ansi::new(Vec::new());
                    human(&mut text, diags, sources, lang).map(|()| text.into_inner())
                } else {
                    let mut text = NoColor::new(Vec::new());
                    human(&mut text, diags, sources, lang).map(|()| text.into_inner())
                }
            })
            .collect();
        for text in texts {
            out.write_all(&text?)?;
        }
    }
    Ok(())
}

fn human(
    out: &mut dyn WriteColor,
    diags: &[Diagnostic],
    sources: &HashMap<PathBuf, String>,
    lang: Lang,
) -> io::Result<()> {
    let mut files = SimpleFiles::new();
    let mut ids = HashMap::new();
    let config = term::Config::default();
    for d in diags {
        let severity = match d.severity {
            Severity::Error => codespan_reporting::diagnostic::Severity::Error,
            Severity::Warning => codespan_reporting::diagnostic::Severity::Warning,
        };
        let help = match lang {
            Lang::Fr => format!("aide : {}", d.help(lang)),
            Lang::En => format!("help: {}", d.help(lang)),
        };
        let mut cs = CsDiagnostic::new(severity)
            .with_code(d.rule())
            .with_message(d.message(lang))
            .with_notes(vec![help]);
        let located = d.file.as_ref().zip(d.span).and_then(|(file, span)| {
            let text = sources.get(file)?;
            let start = byte_offset(text, span.start.line, span.start.col)?;
            let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
            let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
            if line_end - line_start > MAX_SNIPPET_LINE {
                return None;
            }
            let id = *ids.entry(file.clone()).or_insert_with(|| {
                files.add(printable(&file.display().to_string()), quotable(text))
            });
            let end = if span.end > span.start {
                byte_offset(text, span.end.line, span.end.col)
            } else {
                None
            };
            let end = end
                .filter(|&e| e > start && !text[start..e].contains('\n'))
                .unwrap_or_else(|| token_end(text, start));
            Some(Label::primary(id, start..end))
        });
        match located {
            Some(label) => {
                cs = cs.with_labels(vec![label]);
                term::emit_to_write_style(out, &config, &files, &cs).map_err(io::Error::other)?;
            }
            None => {
                // No snippet to show: still name the file (and the line when known).
                if let Some(f) = &d.file {
                    let f = printable(&f.display().to_string());
                    let place = match d.span {
                        Some(s) => format!("{f}:{}:{}", s.start.line, s.start.col),
                        None => f,
                    };
                    cs.notes.insert(0, format!("→ {place}"));
                }
                let empty: SimpleFiles<String, String> = SimpleFiles::new();
                term::emit_to_write_style(out, &config, &empty, &cs).map_err(io::Error::other)?;
            }
        }
    }
    Ok(())
}

/// The file text as quoted in snippets: control, bidi and invisible characters (a terminal escape
/// sequence, a "Trojan Source" reordering) become `?`, one per byte, so byte offsets still match.
fn quotable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut buf = [0u8; 4];
    for c in text.chars() {
        let hidden = (c.is_control() && c != '\n' && c != '\t')
            || crate::text::has_invisible(c.encode_utf8(&mut buf));
        if hidden {
            out.extend(std::iter::repeat_n('?', c.len_utf8()));
        } else {
            out.push(c);
        }
    }
    out
}

/// Byte offset of a 1-based line and character column.
fn byte_offset(text: &str, line: u32, col: u32) -> Option<usize> {
    let mut start = 0;
    for _ in 1..line {
        start += text[start..].find('\n')? + 1;
    }
    let line_text = &text[start..start + text[start..].find('\n').unwrap_or(text.len() - start)];
    let within = line_text
        .char_indices()
        .nth(col.saturating_sub(1) as usize)
        .map_or(line_text.len(), |(i, _)| i);
    Some(start + within)
}

/// Underline up to the end of the token (or line) when the parser gave only a start.
fn token_end(text: &str, start: usize) -> usize {
    let rest = &text[start..];
    let line_end = rest.find('\n').unwrap_or(rest.len());
    let line = rest[..line_end].trim_end();
    start + if line.is_empty() { 0 } else { line.len() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::diagnostic::Problem;
    use crate::source::yaml::{Pos, Span};

    #[test]
    fn github_lines_escape_properties_and_data() {
        let d = Diagnostic::new(
            Problem::UnknownKey {
                key: "competance".into(),
                suggestion: Some("competences".into()),
            },
            Some("content/prestataires/a,b.md".into()),
            Some(Span::at(Pos { line: 3, col: 1 })),
        );
        let line = github_line(&d, Lang::Fr);
        assert!(line.starts_with("::error file=content/prestataires/a%2Cb.md,line=3,col=1,title=schema/cle-inconnue::"), "{line}");
        assert!(line.contains("vouliez-vous dire « competences » ?"));
    }

    fn human_text(diags: &[Diagnostic], path: &str, text: &str) -> String {
        let sources = HashMap::from([(PathBuf::from(path), text.to_string())]);
        let mut out = codespan_reporting::term::termcolor::NoColor::new(Vec::new());
        render(&mut out, diags, &sources, Format::Human, Lang::En).unwrap();
        String::from_utf8(out.into_inner()).unwrap()
    }

    #[test]
    fn files_rendered_in_parallel_come_out_in_order() {
        use codespan_reporting::term::termcolor::{Ansi, NoColor};
        // More files than a batch, one to three diagnostics each, one in three without a snippet.
        let mut sources = HashMap::new();
        let mut diags = Vec::new();
        for f in 0..(2 * FILES_PER_BATCH + 7) {
            let path = PathBuf::from(format!("content/prestataires/p{f:04}.md"));
            sources.insert(
                path.clone(),
                format!("---\nnom: P{f}\ncompetance: x\n---\n"),
            );
            for k in 0..=(f % 3) {
                diags.push(Diagnostic::new(
                    Problem::UnknownKey {
                        key: "competance".into(),
                        suggestion: None,
                    },
                    Some(path.clone()),
                    (k < 2).then_some(Span::at(Pos {
                        line: 3,
                        col: 1 + k as u32,
                    })),
                ));
            }
        }
        let mut parallel = NoColor::new(Vec::new());
        let mut serial = NoColor::new(Vec::new());
        render(&mut parallel, &diags, &sources, Format::Human, Lang::Fr).unwrap();
        human(&mut serial, &diags, &sources, Lang::Fr).unwrap();
        let text = String::from_utf8(parallel.into_inner()).unwrap();
        assert!(text == String::from_utf8(serial.into_inner()).unwrap());
        let first = text.find("p0000.md").unwrap();
        let last = text
            .find(&format!("p{:04}.md", 2 * FILES_PER_BATCH + 6))
            .unwrap();
        assert!(first < last);

        let mut parallel = Ansi::new(Vec::new());
        let mut serial = Ansi::new(Vec::new());
        render(&mut parallel, &diags, &sources, Format::Human, Lang::Fr).unwrap();
        human(&mut serial, &diags, &sources, Lang::Fr).unwrap();
        let colored = parallel.into_inner();
        assert!(colored == serial.into_inner());
        assert!(colored.starts_with(b"\x1b["));
    }

    #[test]
    fn long_lines_are_not_quoted_once_per_problem() {
        let path = "content/prestataires/x.md";
        let line = format!("zone: [{}]", vec!["zz"; 5000].join(","));
        let text = format!("---\n{line}\n---\n");
        let diags: Vec<Diagnostic> = (0..100)
            .map(|i| {
                Diagnostic::new(
                    Problem::UnknownZone {
                        value: "zz".into(),
                        suggestion: None,
                    },
                    Some(path.into()),
                    Some(Span::at(Pos {
                        line: 2,
                        col: 8 + 3 * i,
                    })),
                )
            })
            .collect();
        let out = human_text(&diags, path, &text);
        assert!(out.len() < 100 * 400, "{} bytes", out.len());
        assert!(out.contains("content/prestataires/x.md:2:11"), "{out}");
    }

    #[test]
    fn snippets_and_messages_never_print_control_characters() {
        let path = "content/prestataires/x.md";
        let text = "---\nforme: \"\u{1b}[2J\u{202e}x\"\n---\n";
        let d = Diagnostic::new(
            Problem::InvalidValue {
                key: "forme".into(),
                value: "\u{1b}[2J\u{202e}x".into(),
                allowed: vec!["association".into()],
                suggestion: None,
            },
            Some(path.into()),
            Some(Span {
                start: Pos { line: 2, col: 8 },
                end: Pos { line: 2, col: 15 },
            }),
        );
        for out in [
            human_text(std::slice::from_ref(&d), path, text),
            github_line(&d, Lang::En),
        ] {
            assert!(
                !out.contains('\u{1b}') && !out.contains('\u{202e}'),
                "{out:?}"
            );
            assert!(out.contains("\\u{1b}[2J"), "{out}");
        }
    }

    #[test]
    fn offsets_count_characters() {
        let text = "nom: Élise\ncommune: x\n";
        assert_eq!(byte_offset(text, 2, 10), Some(text.find('x').unwrap()));
        assert_eq!(&text[byte_offset(text, 1, 6).unwrap()..][..2], "É");
    }
}
