//! Shrinking a program on which the evaluators differ, while they still do.
//!
//! Greedy and structural: drop a top-level form; replace a list by one of its parts or
//! by `0`, `#f` or `'()`; drop an element of a list. Whatever makes the program wrong
//! makes the evaluators agree on an error, and is not kept.

use crate::sx::Sx;

/// The smallest program found from `program` for which `differs` still holds, within
/// `budget` tries.
pub fn shrink(program: &[Sx], budget: usize, differs: &mut dyn FnMut(&[Sx]) -> bool) -> Vec<Sx> {
    let mut best = program.to_vec();
    let mut tries = 0;
    let mut improved = true;
    while improved && tries < budget {
        improved = false;
        // Whole top-level forms first: the biggest cuts.
        let mut i = 0;
        while i < best.len() && tries < budget {
            let mut candidate = best.clone();
            candidate.remove(i);
            tries += 1;
            if differs(&candidate) {
                best = candidate;
                improved = true;
            } else {
                i += 1;
            }
        }
        // Then every node of every form, largest subtrees first.
        for form in 0..best.len() {
            let mut path_index = 0;
            loop {
                let paths = list_paths(&best[form]);
                if path_index >= paths.len() || tries >= budget {
                    break;
                }
                let path = &paths[path_index];
                let mut accepted = false;
                for replacement in replacements(node(&best[form], path)) {
                    let mut candidate = best.clone();
                    *node_mut(&mut candidate[form], path) = replacement;
                    tries += 1;
                    if differs(&candidate) {
                        best = candidate;
                        improved = true;
                        accepted = true;
                        break;
                    }
                    if tries >= budget {
                        break;
                    }
                }
                if !accepted {
                    path_index += 1;
                }
            }
        }
    }
    best
}

/// The paths to every list inside `sx`, outermost first.
fn list_paths(sx: &Sx) -> Vec<Vec<usize>> {
    let mut out = Vec::new();
    let mut stack = vec![(sx, Vec::new())];
    while let Some((s, path)) = stack.pop() {
        if let Sx::List(items) = s {
            for (i, item) in items.iter().enumerate().rev() {
                let mut p = path.clone();
                p.push(i);
                stack.push((item, p));
            }
            out.push(path);
        }
    }
    out.sort_by_key(|p| p.len());
    out
}

fn node<'a>(sx: &'a Sx, path: &[usize]) -> &'a Sx {
    path.iter().fold(sx, |s, &i| match s {
        Sx::List(items) => &items[i],
        Sx::Atom(_) => unreachable!("paths lead through lists"),
    })
}

fn node_mut<'a>(sx: &'a mut Sx, path: &[usize]) -> &'a mut Sx {
    path.iter().fold(sx, |s, &i| match s {
        Sx::List(items) => &mut items[i],
        Sx::Atom(_) => unreachable!("paths lead through lists"),
    })
}

/// Smaller things to try in place of `sx`.
fn replacements(sx: &Sx) -> Vec<Sx> {
    let Sx::List(items) = sx else { return vec![] };
    let mut out: Vec<Sx> = ["0", "#f"].into_iter().map(Sx::atom).collect();
    out.extend(
        items
            .iter()
            .skip(1)
            .filter(|i| i.size() < sx.size())
            .cloned(),
    );
    for i in 1..items.len() {
        let mut fewer = items.clone();
        fewer.remove(i);
        out.push(Sx::List(fewer));
    }
    out
}
