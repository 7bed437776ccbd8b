//! Connection endpoints as Nengo writes them: `A`, `A.neurons`, `A[0]`, `A[1:3]`,
//! `node[:n]`, `A.neurons[::2]`, `B[0, 2]` — an object, optionally its neurons, optionally a
//! slice (Python's `start:stop:step` with negative indices, a single index, or a list).

/// A parsed endpoint: the object's name, whether it addresses its neurons, and the slice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selector {
    /// The object's name.
    pub name: String,
    /// `.neurons`: the connection reads or drives the neurons directly.
    pub neurons: bool,
    /// The slice, if any.
    pub slice: Option<Slice>,
}

/// A Python-style slice of a vector.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Slice {
    /// `start:stop:step` (each optional; negative values count from the end).
    Range {
        /// First index.
        start: Option<i64>,
        /// One past the last index.
        stop: Option<i64>,
        /// Step (≠ 0).
        step: Option<i64>,
    },
    /// Explicit indices (`[0, 2]`, or a single `[1]`).
    Indices(Vec<i64>),
}

impl Selector {
    /// Parses `name`, `name.neurons`, `name[slice]` or `name.neurons[slice]`.
    pub fn parse(text: &str) -> Result<Selector, String> {
        let text = text.trim();
        let (head, slice) = match text.find('[') {
            Some(open) => {
                let Some(inner) = text[open + 1..].strip_suffix(']') else {
                    return Err(format!("`{text}`: a slice must end with `]`"));
                };
                (&text[..open], Some(Slice::parse(inner)?))
            }
            None => (text, None),
        };
        let (name, neurons) = match head.strip_suffix(".neurons") {
            Some(n) => (n, true),
            None => (head, false),
        };
        if name.is_empty() {
            return Err(format!("`{text}`: no object name"));
        }
        Ok(Selector {
            name: name.to_string(),
            neurons,
            slice,
        })
    }

    /// The indices this selector takes from a vector of `len` elements (all of them without a
    /// slice).
    pub fn indices(&self, len: usize) -> Result<Vec<usize>, String> {
        match &self.slice {
            None => Ok((0..len).collect()),
            Some(s) => s.indices(len),
        }
    }
}

impl Slice {
    /// Parses the text between the brackets.
    pub fn parse(inner: &str) -> Result<Slice, String> {
        let num = |s: &str| -> Result<Option<i64>, String> {
            let s = s.trim();
            if s.is_empty() {
                return Ok(None);
            }
            s.parse::<i64>()
                .map(Some)
                .map_err(|_| format!("`[{inner}]`: `{s}` is not an integer"))
        };
        if inner.contains(':') {
            let parts: Vec<&str> = inner.split(':').collect();
            if parts.len() > 3 {
                return Err(format!("`[{inner}]`: at most start:stop:step"));
            }
            let step = match parts.get(2) {
                Some(p) => num(p)?,
                None => None,
            };
            if step == Some(0) {
                return Err(format!("`[{inner}]`: the step cannot be 0"));
            }
            return Ok(Slice::Range {
                start: num(parts[0])?,
                stop: num(parts[1])?,
                step,
            });
        }
        let idx = inner
            .split(',')
            .map(|s| num(s)?.ok_or_else(|| format!("`[{inner}]`: empty index")))
            .collect::<Result<Vec<i64>, String>>()?;
        Ok(Slice::Indices(idx))
    }

    /// The indices selected from `len` elements, as Python computes them. An index out of
    /// range (after counting negatives from the end) is an error; a range is clipped, as in
    /// Python, but must select at least one element.
    pub fn indices(&self, len: usize) -> Result<Vec<usize>, String> {
        let n = len as i64;
        let out: Vec<usize> = match self {
            Slice::Indices(ix) => ix
                .iter()
                .map(|&i| {
                    let j = if i < 0 { i + n } else { i };
                    if (0..n).contains(&j) {
                        Ok(j as usize)
                    } else {
                        Err(format!("index {i} is out of range for {len} elements"))
                    }
                })
                .collect::<Result<_, _>>()?,
            Slice::Range { start, stop, step } => {
                let step = step.unwrap_or(1);
                let clip = |v: i64, lo: i64, hi: i64| v.clamp(lo, hi);
                let norm = |v: i64| if v < 0 { v + n } else { v };
                if step > 0 {
                    let a = clip(start.map_or(0, norm), 0, n);
                    let b = clip(stop.map_or(n, norm), 0, n);
                    (a..b).step_by(step as usize).map(|i| i as usize).collect()
                } else {
                    let a = clip(start.map_or(n - 1, norm), -1, n - 1);
                    let b = clip(stop.map_or(-1, |v| norm(v).max(-1)), -1, n - 1);
                    let mut v = vec![];
                    let mut i = a;
                    while i > b {
                        v.push(i as usize);
                        i += step;
                    }
                    v
                }
            }
        };
        if out.is_empty() {
            return Err(format!("the slice selects nothing of {len} elements"));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ix(s: &str, len: usize) -> Result<Vec<usize>, String> {
        Selector::parse(s)?.indices(len)
    }

    /// Python semantics: `list(range(5))[a:b:c]`, written out by hand.
    #[test]
    fn slices_select_as_python_does() {
        assert_eq!(ix("A", 3).unwrap(), vec![0, 1, 2]);
        assert_eq!(ix("A[1:3]", 5).unwrap(), vec![1, 2]);
        assert_eq!(ix("A[:2]", 5).unwrap(), vec![0, 1]);
        assert_eq!(ix("A[-2:]", 5).unwrap(), vec![3, 4]);
        assert_eq!(ix("A[::2]", 5).unwrap(), vec![0, 2, 4]);
        assert_eq!(ix("A[::-1]", 4).unwrap(), vec![3, 2, 1, 0]);
        assert_eq!(ix("A[0]", 2).unwrap(), vec![0]);
        assert_eq!(ix("A[-1]", 2).unwrap(), vec![1]);
        assert_eq!(ix("A[0, 2]", 3).unwrap(), vec![0, 2]);
        assert_eq!(ix("A[:10]", 3).unwrap(), vec![0, 1, 2]);
        let s = Selector::parse("ens.neurons[:4]").unwrap();
        assert!(s.neurons);
        assert_eq!(s.name, "ens");
    }

    #[test]
    fn bad_slices_are_errors() {
        assert!(ix("A[2]", 2).unwrap_err().contains("out of range"));
        assert!(ix("A[5:]", 3).unwrap_err().contains("selects nothing"));
        assert!(Selector::parse("A[1:2").unwrap_err().contains("`]`"));
        assert!(
            Selector::parse("A[x]")
                .unwrap_err()
                .contains("not an integer")
        );
        assert!(
            Selector::parse("A[::0]")
                .unwrap_err()
                .contains("cannot be 0")
        );
        assert!(Selector::parse("[0]").is_err());
    }
}
