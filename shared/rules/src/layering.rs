//! The crate's layering (issue 32): no top-level module uses, directly or through
//! others, a module that uses it back. Read from the sources themselves: each file
//! belongs to the top-level module its place under `src/` names (`src/program/*.rs` to
//! `program`), and each `crate::` path, and each `super::` path that climbs out to the
//! crate root, names the top-level module it reaches (an item `lib.rs` re-exports stands
//! for the module it comes from). Comments, strings and test-only code (`#[cfg(test)]
//! mod` blocks, the files of `tests` modules and the modules `lib.rs` declares under
//! `#[cfg(test)]`) are left out; so is `lib.rs`, whose re-exports reach every module.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// For each module, the modules it uses, each with one file that uses it.
type Graph = BTreeMap<String, BTreeMap<String, String>>;

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The code without its comments, with every string and char literal emptied, so that
/// neither a doc link nor a message reads as a path and the braces balance.
fn code_only(source: &str) -> String {
    let s: Vec<char> = source.chars().collect();
    let at = |i: usize| s.get(i).copied().unwrap_or('\0');
    let mut out = String::with_capacity(source.len());
    let mut i = 0;
    while i < s.len() {
        let c = s[i];
        let prev = if i == 0 { ' ' } else { s[i - 1] };
        if c == '/' && at(i + 1) == '/' {
            while i < s.len() && s[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && at(i + 1) == '*' {
            let mut depth = 0;
            while i < s.len() {
                if s[i] == '/' && at(i + 1) == '*' {
                    depth += 1;
                    i += 2;
                } else if s[i] == '*' && at(i + 1) == '/' {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
            out.push(' ');
        } else if c == 'r' && !is_ident(prev) && (at(i + 1) == '"' || at(i + 1) == '#') {
            let mut j = i + 1;
            while at(j) == '#' {
                j += 1;
            }
            if at(j) != '"' {
                out.push(c);
                i += 1;
                continue;
            }
            let hashes = j - i - 1;
            j += 1;
            while j < s.len() && !(s[j] == '"' && (1..=hashes).all(|k| at(j + k) == '#')) {
                j += 1;
            }
            out.push_str("\"\"");
            i = j + 1 + hashes;
        } else if c == '"' {
            i += 1;
            while i < s.len() && s[i] != '"' {
                i += if s[i] == '\\' { 2 } else { 1 };
            }
            out.push_str("\"\"");
            i += 1;
        } else if c == '\'' && at(i + 1) == '\\' {
            i += 2;
            while i < s.len() && s[i] != '\'' {
                i += 1;
            }
            out.push_str("' '");
            i += 1;
        } else if c == '\'' && at(i + 2) == '\'' {
            out.push_str("' '");
            i += 3;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// The code without its `#[cfg(test)] mod name { ... }` blocks. Panics on any other
/// inline module, whose `super::` this reader would misplace.
fn without_test_modules(code: &str, file: &str) -> String {
    let mut out = String::new();
    let mut rest = code;
    while let Some(start) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..start]);
        let after = &rest[start + "#[cfg(test)]".len()..];
        let mut tail = after.trim_start();
        while tail.starts_with("#[") {
            tail = tail[tail.find(']').map_or(tail.len(), |e| e + 1)..].trim_start();
        }
        let Some(decl) = tail.strip_prefix("mod ") else {
            out.push_str("#[cfg(test)]");
            rest = after;
            continue;
        };
        let name_end = decl.find(|c: char| !is_ident(c)).unwrap_or(decl.len());
        let body = decl[name_end..].trim_start();
        if let Some(after_declaration) = body.strip_prefix(';') {
            rest = after_declaration;
            continue;
        }
        assert!(body.starts_with('{'), "{file}: unreadable test module");
        rest = braced(body).1;
    }
    out.push_str(rest);
    for (i, _) in out.match_indices("mod ") {
        let word_start = i == 0 || !out[..i].ends_with(is_ident);
        let after = &out[i + "mod ".len()..];
        let after = after[leading_word(after).len()..].trim_start();
        assert!(
            !(word_start && after.starts_with('{')),
            "{file}: an inline module other than the tests; teach the layering test to read it"
        );
    }
    out
}

/// The text inside the braces `text` opens with, and what follows them.
fn braced(text: &str) -> (&str, &str) {
    let mut depth = 0;
    for (i, c) in text.char_indices() {
        depth += match c {
            '{' => 1,
            '}' => -1,
            _ => 0,
        };
        if depth == 0 {
            return (&text[1..i], &text[i + 1..]);
        }
    }
    (text.get(1..).unwrap_or(""), "")
}

/// The items of a `use` group's inside, split at its own commas.
fn items(group: &str) -> Vec<&str> {
    let mut items = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(group[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(group[start..].trim());
    items.into_iter().filter(|i| !i.is_empty()).collect()
}

fn leading_word(text: &str) -> &str {
    let text = text.trim_start();
    &text[..text.find(|c: char| !(is_ident(c) || c == '*')).unwrap_or(text.len())]
}

/// The first segment of each path a tree opens with: `a` for `a::b`, `a` and `b` for
/// `{a, b::c}`.
fn heads(tree: &str) -> Vec<String> {
    let tree = tree.trim_start();
    if tree.starts_with('{') {
        items(braced(tree).0)
            .into_iter()
            .map(|i| leading_word(i).to_string())
            .collect()
    } else {
        vec![leading_word(tree).to_string()]
    }
}

/// The names a `use` tree brings in: `c` and `d` for `a::b::{c, e as d}`.
fn leaves(tree: &str) -> Vec<String> {
    let tree = tree.trim().trim_end_matches(';').trim();
    match tree.find('{') {
        Some(open) => items(braced(&tree[open..]).0).into_iter().flat_map(leaves).collect(),
        None => {
            let name = tree.rsplit([':', ' ']).next().unwrap_or("");
            vec![name.to_string()]
        }
    }
}

/// The first segments of the paths `code`, the code of module `module`, names from the
/// crate root: after `crate::`, and after as many `super::` as `module` is deep.
fn root_paths(code: &str, module: &[String]) -> Vec<String> {
    let mut found = Vec::new();
    let starts = |i: usize| i == 0 || !code[..i].ends_with(|c: char| is_ident(c) || c == ':' || c == '$');
    for (i, _) in code.match_indices("crate::") {
        if starts(i) {
            found.extend(heads(&code[i + "crate::".len()..]));
        }
    }
    for (i, _) in code.match_indices("super::") {
        if !starts(i) {
            continue;
        }
        let mut rest = &code[i..];
        let mut climbs = 0;
        while let Some(r) = rest.strip_prefix("super::") {
            climbs += 1;
            rest = r.trim_start();
        }
        if climbs >= module.len() {
            found.extend(heads(rest));
        }
    }
    found
}

/// The crate's top-level modules, those it declares under `#[cfg(test)]`, and the items
/// it re-exports, each with the module it comes from.
fn crate_root(lib: &str) -> (BTreeSet<String>, BTreeSet<String>, BTreeMap<String, String>) {
    let lib = code_only(lib);
    let mut modules = BTreeSet::new();
    let mut test_only = BTreeSet::new();
    let mut reexports = BTreeMap::new();
    for statement in lib.split_inclusive(';') {
        let statement = statement.trim();
        let bare = statement.strip_prefix("#[cfg(test)]").unwrap_or(statement).trim();
        let is_test = bare.len() < statement.len();
        let bare = bare.trim_start_matches("pub(crate)").trim_start_matches("pub").trim();
        if let Some(name) = bare.strip_prefix("mod ") {
            let name = name.trim_end_matches(';').trim().to_string();
            if is_test {
                test_only.insert(name.clone());
            }
            modules.insert(name);
        } else if let Some(tree) = bare.strip_prefix("use ") {
            let module = leading_word(tree).to_string();
            for name in leaves(tree) {
                reexports.insert(name, module.clone());
            }
        }
    }
    (modules, test_only, reexports)
}

fn rust_files(dir: &Path, files: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap_or_else(|e| panic!("{}: {e}", dir.display())).path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
}

/// The module a file under `src/` holds: `program/component.rs` is
/// `program::component`, `roster.rs` is `roster`, a `mod.rs` its folder's.
fn module_of(relative: &Path) -> Vec<String> {
    let mut path: Vec<String> = relative
        .with_extension("")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if path.last().is_some_and(|l| l == "mod" || l == "lib") {
        path.pop();
    }
    path
}

/// The uses between top-level modules, read from the crate's own sources.
fn crate_graph() -> Graph {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let lib = fs::read_to_string(src.join("lib.rs")).unwrap_or_else(|e| panic!("lib.rs: {e}"));
    let (modules, test_only, reexports) = crate_root(&lib);
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut graph = Graph::new();
    for file in files {
        let relative = file.strip_prefix(&src).unwrap_or(&file).to_path_buf();
        let module = module_of(&relative);
        let Some(top) = module.first() else { continue };
        let is_test = test_only.contains(top) || module.iter().any(|m| m == "tests" || m.ends_with("_tests"));
        if is_test {
            continue;
        }
        assert!(
            modules.contains(top),
            "{}: not a module lib.rs declares",
            relative.display()
        );
        let name = relative.display().to_string();
        let source = fs::read_to_string(&file).unwrap_or_else(|e| panic!("{name}: {e}"));
        let code = without_test_modules(&code_only(&source), &name);
        let uses = graph.entry(top.clone()).or_default();
        for head in root_paths(&code, &module) {
            let target = if modules.contains(&head) {
                head
            } else if let Some(m) = reexports.get(&head) {
                m.clone()
            } else {
                panic!("{name}: `{head}` is neither a module of the crate nor an item lib.rs re-exports")
            };
            if target != *top {
                uses.entry(target).or_insert_with(|| name.clone());
            }
        }
    }
    graph
}

/// A loop of uses, as the modules along it (the first again at the end), if any.
fn find_cycle(graph: &Graph) -> Option<Vec<String>> {
    fn visit<'a>(
        graph: &'a Graph,
        node: &'a str,
        done: &mut BTreeSet<&'a str>,
        path: &mut Vec<&'a str>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| *n == node) {
            let mut cycle: Vec<String> = path[at..].iter().map(|n| n.to_string()).collect();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if !done.insert(node) {
            return None;
        }
        path.push(node);
        for next in graph.get(node).into_iter().flat_map(|uses| uses.keys()) {
            if let Some(cycle) = visit(graph, next, done, path) {
                return Some(cycle);
            }
        }
        path.pop();
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|node| visit(graph, node, &mut done, &mut Vec::new()))
}

/// A cycle with the file that makes each of its uses.
fn describe(graph: &Graph, cycle: &[String]) -> String {
    let mut text = cycle[0].clone();
    for pair in cycle.windows(2) {
        let file = &graph[&pair[0]][&pair[1]];
        text.push_str(&format!(" -> {} (used in {file})", pair[1]));
    }
    text
}

#[test]
fn no_module_uses_a_module_that_uses_it_back() {
    let graph = crate_graph();
    assert!(graph.len() > 5, "the sources were not read: {graph:?}");
    if let Some(cycle) = find_cycle(&graph) {
        panic!("the modules use each other in a loop: {}", describe(&graph, &cycle));
    }
}

#[test]
fn the_reader_finds_crate_paths_groups_and_super_escapes_only_in_code() {
    let source = r##"
        //! See [`crate::ignored_in_docs`].
        use crate::{alpha, beta::{One, Two}, gamma::Three as Four};
        use super::delta::Five;
        use super::super::epsilon;
        fn f() { let _ = "crate::ignored_in_strings"; let _ = r#"crate::raw"#; let _ = '{'; }
        fn g<'a>(x: &'a str) -> &'a str { crate::zeta::h(x) }
        /* crate::ignored_in_block_comments */
        #[cfg(test)]
        mod tests {
            use crate::ignored_in_tests;
        }
        fn after() { crate::eta(); }
    "##;
    let code = without_test_modules(&code_only(source), "sample.rs");
    let module = ["first".to_string(), "second".to_string()];
    let found = root_paths(&code, &module);
    assert_eq!(found, ["alpha", "beta", "gamma", "zeta", "eta", "epsilon"]);
    let at_top = root_paths(&code, &module[..1]);
    assert!(at_top.contains(&"delta".to_string()), "{at_top:?}");
}

#[test]
fn a_loop_is_found_and_named_with_its_files() {
    fn uses(graph: &mut Graph, from: &str, to: &str) {
        graph
            .entry(from.to_string())
            .or_default()
            .insert(to.to_string(), format!("{from}.rs"));
    }
    let mut graph = Graph::new();
    uses(&mut graph, "pipeline", "roster");
    uses(&mut graph, "roster", "certificate");
    uses(&mut graph, "certificate", "program");
    assert_eq!(find_cycle(&graph), None);
    uses(&mut graph, "certificate", "pipeline");
    let cycle = find_cycle(&graph).expect("the loop");
    assert_eq!(cycle, ["certificate", "pipeline", "roster", "certificate"]);
    assert_eq!(
        describe(&graph, &cycle),
        "certificate -> pipeline (used in certificate.rs) -> roster (used in pipeline.rs) \
         -> certificate (used in roster.rs)"
    );
}

#[test]
fn lib_rs_is_read_for_its_modules_and_re_exports() {
    let (modules, test_only, reexports) = crate_root(
        "pub mod a;\nmod b;\n#[cfg(test)]\npub(crate) mod fixtures;\npub use a::{One, two};\npub use b::Three;\n",
    );
    assert_eq!(modules, BTreeSet::from(["a".into(), "b".into(), "fixtures".into()]));
    assert_eq!(test_only, BTreeSet::from(["fixtures".to_string()]));
    assert_eq!(reexports.get("two").map(String::as_str), Some("a"));
    assert_eq!(reexports.get("Three").map(String::as_str), Some("b"));
}
