//! The `annuaire` command line: parse arguments, call the library, map results to exit codes
//! (0 success, 1 content problems, 2 usage or environment errors).

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use codespan_reporting::term::termcolor::{ColorChoice, StandardStream, WriteColor};

use annuaire::audience::Audience;
use annuaire::check::diagnostic::{self, Diagnostic, Lang, Severity};
use annuaire::check::report::{self, Format};
use annuaire::{BuildOptions, Error, SiteOptions};

#[derive(Parser)]
#[command(
    name = "annuaire",
    version,
    about = "Annuaire des prestataires du numérique : vérifie les fiches et génère le site statique."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Couleurs dans le terminal.
    #[arg(long, global = true, value_enum, default_value_t = Color::Auto)]
    color: Color,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

#[derive(clap::Args, Clone)]
struct SiteArgs {
    /// Dossier du site (celui qui contient content/). Par défaut : le dossier courant ou son parent le plus proche qui en a un.
    #[arg(long)]
    root: Option<PathBuf>,
    /// Langue des messages (par défaut : celle du site).
    #[arg(long, value_enum)]
    lang: Option<Lang>,
}

#[derive(Subcommand)]
enum Command {
    /// Vérifie les fiches puis écrit le site.
    Build {
        #[command(flatten)]
        site: SiteArgs,
        /// Dossier de sortie (par défaut : <root>/public).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Échoue à la moindre erreur dans une fiche au lieu d'écarter la fiche.
        #[arg(long)]
        strict: bool,
        /// Public visé : public (par défaut) ou mediation (vue complète).
        #[arg(long, value_enum, default_value_t = Audience::Public)]
        audience: Audience,
        /// Remplace url_base de site.yaml (aperçus de déploiement).
        #[arg(long)]
        base_url: Option<String>,
        /// Garde les espaces de mise en page des gabarits (pour relire la sortie).
        #[arg(long)]
        no_minify: bool,
        /// Affiche la durée de chaque étape.
        #[arg(long)]
        timings: bool,
    },
    /// Vérifie les fiches sans rien écrire.
    Check {
        #[command(flatten)]
        site: SiteArgs,
        /// Format des diagnostics.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Échoue aussi sur les avertissements.
        #[arg(long)]
        deny_warnings: bool,
        /// Révision de base (branche cible d'une demande de fusion) pour la règle d'auto-vérification.
        #[arg(long, requires = "author")]
        base: Option<String>,
        /// Auteur de la demande de fusion (compte de la forge).
        #[arg(long, requires = "base")]
        author: Option<String>,
        /// Vérifie aussi que les adresses externes répondent (justificatifs, site, réseaux).
        #[arg(long)]
        links: bool,
        /// Délai maximal d'une requête de --links, en secondes.
        #[arg(long, default_value_t = 10.0, requires = "links", value_parser = positive_seconds)]
        timeout: f64,
        /// Nombre maximal de requêtes simultanées de --links.
        #[arg(long, default_value_t = 8, requires = "links", value_parser = clap::value_parser!(u16).range(1..=64))]
        concurrency: u16,
        /// Ne rapporte que ces fiches (toujours vérifiées avec l'ensemble, pour les doublons).
        files: Vec<PathBuf>,
    },
    /// Aperçu local : construit le site en mémoire, le sert et le reconstruit à chaque modification.
    Serve {
        #[command(flatten)]
        site: SiteArgs,
        /// Port d'écoute (0 : un port libre).
        #[arg(long, short, default_value_t = 1111)]
        port: u16,
        /// Adresse d'écoute.
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
        /// Ouvre le navigateur.
        #[arg(long)]
        open: bool,
        /// Interroge le disque à intervalles réguliers (WSL, volumes Docker, partages réseau).
        #[arg(long)]
        poll: bool,
        /// Public visé.
        #[arg(long, value_enum, default_value_t = Audience::Public)]
        audience: Audience,
    },
    /// Crée une fiche à compléter : content/prestataires/<slug>.md.
    New {
        #[command(flatten)]
        site: SiteArgs,
        /// Nom du prestataire.
        name: String,
    },
    /// Écrit le schéma JSON de l'en-tête des fiches (pour les éditeurs).
    Schema {
        #[command(flatten)]
        site: SiteArgs,
        /// Fichier de sortie (par défaut : la sortie standard).
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let choice = match cli.color {
        Color::Always => ColorChoice::Always,
        Color::Never => ColorChoice::Never,
        Color::Auto
            if std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none() =>
        {
            ColorChoice::Auto
        }
        Color::Auto => ColorChoice::Never,
    };
    let mut stderr = StandardStream::stderr(choice);
    match run(cli.command, &mut stderr) {
        Ok(code) => code,
        Err(message) => {
            let _ = writeln!(stderr, "erreur : {message}");
            ExitCode::from(2)
        }
    }
}

/// Prints why the site files cannot be used; exit code 1.
fn site_files_failed(
    stderr: &mut StandardStream,
    e: Error,
    lang: Lang,
) -> Result<ExitCode, String> {
    match e {
        Error::Site {
            diagnostics,
            sources,
        } => {
            print_diagnostics(stderr, &diagnostics, &sources, Format::Human, lang);
            let _ = writeln!(stderr, "échec : les fichiers du site sont invalides.");
            Ok(ExitCode::from(1))
        }
        other => Err(other.to_string()),
    }
}

fn site_options(args: &SiteArgs, base_url: Option<String>) -> Result<SiteOptions, String> {
    Ok(SiteOptions {
        root: annuaire::find_root(args.root.as_deref()),
        today: annuaire::build_date()?,
        base_url,
    })
}

fn run(command: Command, stderr: &mut StandardStream) -> Result<ExitCode, String> {
    match command {
        Command::Build {
            site,
            out,
            strict,
            audience,
            base_url,
            no_minify,
            timings,
        } => {
            let opts = site_options(&site, base_url)?;
            let out = out.unwrap_or_else(|| opts.root.join("public"));
            let build = BuildOptions {
                site: opts,
                out,
                audience,
                strict,
                minify: !no_minify,
                exiting: true,
            };
            match annuaire::build(&build) {
                Ok(report) => {
                    let lang = site
                        .lang
                        .unwrap_or_else(|| Lang::from_code(&report.loaded.directory.config.lang));
                    print_diagnostics(
                        stderr,
                        &report.loaded.diagnostics,
                        &report.loaded.sources,
                        Format::Human,
                        lang,
                    );
                    let l = &report.loaded;
                    let _ = writeln!(
                        stderr,
                        "{} prestataire(s) publié(s) sur {}, {} écarté(s) ; {} pages dans {} ({} fichier(s) écrit(s), {} inchangé(s)) ({}).",
                        report.published(),
                        l.entries_found,
                        l.rejected.len(),
                        report.rendered.pages,
                        report.out.display(),
                        report.written,
                        report.unchanged,
                        diagnostic::summary(&l.diagnostics, lang)
                    );
                    for (path, errors) in &l.rejected {
                        let _ = writeln!(
                            stderr,
                            "  écartée : {} ({errors} erreur(s))",
                            path.display()
                        );
                    }
                    if timings {
                        for (stage, d) in &report.timings {
                            let _ = writeln!(
                                stderr,
                                "  {stage:<10} {:>8.1} ms",
                                d.as_secs_f64() * 1000.0
                            );
                        }
                        // Rendering time per template, all threads added up.
                        for t in &report.rendered.templates {
                            let _ = writeln!(
                                stderr,
                                "    gabarit {:<20} {:>7} page(s) {:>9.1} ms",
                                t.template,
                                t.pages,
                                t.time.as_secs_f64() * 1000.0
                            );
                        }
                    }
                    // As the build left what it held: the process ends now.
                    std::mem::forget(report);
                    Ok(ExitCode::SUCCESS)
                }
                Err(Error::Site {
                    diagnostics,
                    sources,
                }) => {
                    print_diagnostics(
                        stderr,
                        &diagnostics,
                        &sources,
                        Format::Human,
                        site.lang.unwrap_or_default(),
                    );
                    let _ = writeln!(
                        stderr,
                        "échec : les fichiers du site sont invalides, rien n'a été écrit."
                    );
                    Ok(ExitCode::from(1))
                }
                Err(Error::Strict { errors, loaded }) => {
                    let lang = site
                        .lang
                        .unwrap_or_else(|| Lang::from_code(&loaded.directory.config.lang));
                    print_diagnostics(
                        stderr,
                        &loaded.diagnostics,
                        &loaded.sources,
                        Format::Human,
                        lang,
                    );
                    let _ = writeln!(
                        stderr,
                        "échec (--strict) : {errors} erreur(s), rien n'a été écrit."
                    );
                    Ok(ExitCode::from(1))
                }
                Err(e @ Error::BrokenLinks(_)) => {
                    let _ = writeln!(stderr, "échec : {e}");
                    let _ = writeln!(
                        stderr,
                        "aide : corrigez chaque lien dans le texte Markdown de la page ou de la fiche, ou dans le gabarit du thème, puis relancez."
                    );
                    Ok(ExitCode::from(1))
                }
                Err(e) => {
                    let _ = writeln!(stderr, "échec : {e}");
                    Ok(ExitCode::from(1))
                }
            }
        }
        Command::Check {
            site,
            format,
            deny_warnings,
            base,
            author,
            links,
            timeout,
            concurrency,
            files,
        } => {
            let opts = site_options(&site, None)?;
            // Front matters serve self-verification and the external links only.
            let keep = annuaire::check::Keep {
                front_matters: base.is_some() || links,
                all_texts: false,
            };
            let (mut diagnostics, sources, lang) = match annuaire::load_keeping(&opts, keep) {
                Ok(loaded) => {
                    let lang = site
                        .lang
                        .unwrap_or_else(|| Lang::from_code(&loaded.directory.config.lang));
                    let mut diags = loaded.diagnostics;
                    if let (Some(base), Some(author)) = (&base, &author) {
                        let more = annuaire::check::selfverif::check(
                            &opts.root,
                            base,
                            author,
                            &loaded.directory.config,
                            &loaded.front_matters,
                        )
                        .map_err(|e| e.to_string())?;
                        diags.extend(more);
                        annuaire::check::sort(&mut diags);
                    }
                    if links {
                        let wanted: Vec<PathBuf> = files
                            .iter()
                            .map(|f| relative_to_root(f, &opts.root))
                            .collect();
                        let only = (!wanted.is_empty()).then_some(wanted.as_slice());
                        let refs = annuaire::links::external::collect(&loaded.front_matters, only);
                        let check_opts = annuaire::links::external::Options {
                            timeout: std::time::Duration::from_secs_f64(timeout),
                            concurrency: usize::from(concurrency),
                            progress: true,
                        };
                        let dead = annuaire::links::external::check(&refs, &check_opts);
                        let _ = writeln!(
                            stderr,
                            "--links : {} adresse(s) externe(s) vérifiée(s), {} injoignable(s).",
                            refs.len(),
                            dead.len()
                        );
                        diags.extend(dead);
                        annuaire::check::sort(&mut diags);
                    }
                    // The process ends after the report: freeing every provider one by one, on
                    // this one thread, would only delay the exit (2–3 % of a 10,000-entry check).
                    std::mem::forget(loaded.directory);
                    (diags, loaded.sources, lang)
                }
                Err(Error::Site {
                    diagnostics,
                    sources,
                }) => (diagnostics, sources, site.lang.unwrap_or_default()),
                Err(e) => return Err(e.to_string()),
            };
            if !files.is_empty() {
                let wanted: Vec<PathBuf> = files
                    .iter()
                    .map(|f| relative_to_root(f, &opts.root))
                    .collect();
                // Keep the named files' problems, and duplicates whose other half is a named file
                // (the later file in path order carries the diagnostic).
                let named = |p: &PathBuf| wanted.iter().any(|w| w == p);
                diagnostics.retain(|d| {
                    d.file.as_ref().is_none_or(named) || d.problem.other_file().is_some_and(named)
                });
            }
            print_diagnostics(stderr, &diagnostics, &sources, format, lang);
            let errors = diagnostics
                .iter()
                .filter(|d| d.severity == Severity::Error)
                .count();
            let warnings = diagnostics.len() - errors;
            if format == Format::Human {
                let _ = writeln!(stderr, "{}", diagnostic::summary(&diagnostics, lang));
            }
            let failed = errors > 0 || (deny_warnings && warnings > 0);
            Ok(if failed {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Serve {
            site,
            port,
            bind,
            open,
            poll,
            audience,
        } => {
            let opts = site_options(&site, None)?;
            let serve = annuaire::serve::ServeOptions {
                site: opts,
                audience,
                bind,
                port,
                open,
                poll,
            };
            let result = annuaire::serve::run(serve, |url| {
                println!("Aperçu : {url}  (Ctrl-C pour arrêter)");
                let _ = std::io::stdout().flush();
            });
            match result {
                Ok(()) => Ok(ExitCode::SUCCESS),
                Err(annuaire::serve::ServeError::Site(e)) => {
                    site_files_failed(stderr, e, site.lang.unwrap_or_default())
                }
                Err(e) => Err(e.to_string()),
            }
        }
        Command::New { site, name } => {
            let opts = site_options(&site, None)?;
            let files = match annuaire::load_site_files(&opts) {
                Ok(f) => f,
                Err(e) => return site_files_failed(stderr, e, site.lang.unwrap_or_default()),
            };
            let path = annuaire::scaffold::new_entry(&opts.root, &name, &files.config, opts.today)
                .map_err(|e| e.to_string())?;
            let _ = writeln!(
                stderr,
                "Fiche créée : {}\nComplétez-la, puis lancez « annuaire check » pour voir ce qui reste à remplir.",
                path.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Schema { site, out } => {
            let opts = site_options(&site, None)?;
            let files = match annuaire::load_site_files(&opts) {
                Ok(f) => f,
                Err(e) => return site_files_failed(stderr, e, site.lang.unwrap_or_default()),
            };
            let schema = annuaire::schema::entry_schema(&files.config, &files.nomenclature);
            let text = serde_json::to_string_pretty(&schema).map_err(|e| e.to_string())? + "\n";
            match out {
                Some(path) => {
                    std::fs::write(&path, text).map_err(|e| format!("{} : {e}", path.display()))?
                }
                None => print!("{text}"),
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `--timeout`: a positive number of seconds.
fn positive_seconds(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 && v <= 3600.0 => Ok(v),
        _ => Err(format!(
            "« {s} » : un nombre de secondes entre 0 et 3600 est attendu"
        )),
    }
}

/// A file named on the command line, as the diagnostics name it (relative to the site root).
fn relative_to_root(file: &std::path::Path, root: &std::path::Path) -> PathBuf {
    let abs = std::fs::canonicalize(file).unwrap_or_else(|_| file.to_path_buf());
    let root_abs = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    abs.strip_prefix(&root_abs)
        .map(PathBuf::from)
        .unwrap_or_else(|_| file.to_path_buf())
}

fn print_diagnostics(
    stderr: &mut StandardStream,
    diags: &[Diagnostic],
    sources: &std::collections::HashMap<PathBuf, String>,
    format: Format,
    lang: Lang,
) {
    // Machine formats go to stdout (to be piped); people read stderr. Buffered: a diagnostic is
    // written in dozens of small pieces, and unbuffered stderr made each a system call (a sixth
    // of `check`'s time at 10,000 entries with 2 % of them wrong, on one thread at the end).
    use codespan_reporting::term::termcolor::{Ansi, NoColor};
    use std::io::BufWriter;
    let render = |mut out: Box<dyn WriteColor>| {
        report::render(&mut *out, diags, sources, format, lang).and_then(|()| out.flush())
    };
    let result = match format {
        Format::Human if stderr.supports_color() => render(Box::new(Ansi::new(BufWriter::new(
            std::io::stderr().lock(),
        )))),
        Format::Human => render(Box::new(NoColor::new(BufWriter::new(
            std::io::stderr().lock(),
        )))),
        _ => render(Box::new(NoColor::new(BufWriter::new(
            std::io::stdout().lock(),
        )))),
    };
    if let Err(e) = result {
        let _ = writeln!(stderr, "erreur d'affichage des diagnostics : {e}");
    }
}

/// Builds allocate many small strings and trees on every thread; mimalloc is markedly faster
/// than the system allocator there (see the README's performance section).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
