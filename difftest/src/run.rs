//! Running one program every way, and comparing what the ways say.

use rudo_lang::reader::{read_all, SourceFile};
use rudo_lang::reference::{self, FormResult};
use rudo_lang::{ErrorKind, Options, Vm};

/// One way of running a program.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Variant {
    /// The compiler and VM as they are.
    Vm,
    /// The VM running code compiled with `Options::optimize` off.
    Unoptimized,
    /// The VM collecting at every safepoint and verifying the heap after each.
    Stress,
    /// The reference evaluator.
    Reference,
}

/// Two variants that disagree on a program: the first form where they part, as each
/// saw it.
#[derive(Clone, Debug)]
pub struct Difference {
    pub variants: (Variant, Variant),
    pub form: usize,
    pub results: (Option<FormResult>, Option<FormResult>),
}

fn options(variant: Variant) -> Options {
    let mut options = Options {
        optimize: variant != Variant::Unoptimized,
        gc_stress: variant == Variant::Stress,
        // Room for deep recursion, without reserving the binary's full stack for every
        // one of thousands of programs.
        stack_slots: 4 << 20,
        ..Options::default()
    };
    options.heap.mark_threads = if variant == Variant::Stress { 2 } else { 1 };
    // Small programs collect too: the budget between collections is a small fraction
    // of what a long loop allocates.
    options.heap.min_budget_bytes = 256 << 10;
    options
}

/// Every top-level form's value (as `write` shows it) or error, run by the VM; a form
/// that does not compile ends the list, as it ends the reference evaluator's.
pub fn run_vm(program: &str, variant: Variant) -> Vec<FormResult> {
    let mut vm = Vm::new(options(variant));
    let file = SourceFile::new("<program>", program);
    let forms = match read_all(&file, vm.options().max_read_depth) {
        Ok(forms) => forms,
        Err(e) => return vec![Err(rudo_lang::Error::from(e).headline())],
    };
    let mut results = Vec::new();
    for d in &forms {
        match vm.eval_written(d) {
            Ok(v) => results.push(Ok(v)),
            Err(e) => {
                results.push(Err(e.headline()));
                if e.kind == ErrorKind::Syntax {
                    break;
                }
            }
        }
    }
    results
}

pub fn run(program: &str, variant: Variant) -> Vec<FormResult> {
    match variant {
        Variant::Reference => reference::run_program(options(variant), program),
        _ => run_vm(program, variant),
    }
}

/// Runs `program` by the VM, the unoptimised VM and the reference evaluator (and, with
/// `stress`, the VM under `--gc-stress`): the first disagreement with the VM's results.
pub fn check(program: &str, stress: bool) -> Option<Difference> {
    let base = run(program, Variant::Vm);
    let mut others = vec![Variant::Reference, Variant::Unoptimized];
    if stress {
        others.push(Variant::Stress);
    }
    for other in others {
        let results = run(program, other);
        if let Some(form) = first_difference(&base, &results) {
            return Some(Difference {
                variants: (Variant::Vm, other),
                form,
                results: (base.get(form).cloned(), results.get(form).cloned()),
            });
        }
    }
    None
}

impl Difference {
    /// What kind of difference it is: which variants, and which of them failed. A
    /// shrunk program must keep it, not drift into another one.
    pub fn signature(&self) -> (Variant, Variant, bool, bool) {
        let ok = |r: &Option<FormResult>| matches!(r, Some(Ok(_)));
        (
            self.variants.0,
            self.variants.1,
            ok(&self.results.0),
            ok(&self.results.1),
        )
    }
}

fn first_difference(a: &[FormResult], b: &[FormResult]) -> Option<usize> {
    (0..a.len().max(b.len())).find(|&i| a.get(i) != b.get(i))
}
