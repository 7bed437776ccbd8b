//! Functions computed across NEF connections (Nengo's `Connection(function=...)`).
//!
//! A decoded connection from an ensemble computes `y = f(x)`: the builder evaluates `f` once per
//! eval point to get the decoder targets (nengo/builder/connection.py, `get_targets`), and a
//! `Direct`-mode ensemble evaluates it every step. In Nengo `function` is any Python callable;
//! in cortecs configs it is a [`FunctionSpec`]: one expression string per output dimension, or
//! one of the [`NAMED_FUNCTIONS`]. Rust users can also pass a closure ([`Function::from_fn`]).
//!
//! # Expressions
//!
//! Expressions follow Python's syntax and precedence, so a Nengo `lambda x: ...` body can be
//! copied as it is. They are parsed here and evaluated by [`exmex`] (a flat, compiled form;
//! no allocation per evaluation for expressions of up to 32 operands and 16 variables).
//!
//! - **Variables**: `x0 … x{d-1}` for a d-dimensional input; `x[i]` is the same as `xi`; `x` is
//!   `x0` when d = 1. An expression need not use every variable (`"x0"` in 2-D is fine).
//! - **Numbers**: `2`, `0.5`, `.5`, `5.`, `1e-3`, `2.5E+2`.
//! - **Constants**: `pi` (`PI`) = π, `e` (`E`) = Euler's number, `tau` (`TAU`) = 2π.
//! - **Operators**, loosest first: `+ -`; `* /` (left-associative); unary `-` and `+`; `**`
//!   (or `^`), right-associative and binding tighter than a unary minus on its left, as in
//!   Python: `-x**2 = -(x²)`, `2**-1 = 0.5`, `2**3**2 = 512`, `1/-x = -(1/x)`.
//! - **Functions** (one argument unless noted): `abs`, `sign` (numpy's: 0 at 0), `sqrt`,
//!   `cbrt`, `exp`, `log` and `ln` (natural), `log2`, `log10`, `sin`, `cos`, `tan`, `asin`,
//!   `acos`, `atan`, `sinh`, `cosh`, `tanh`, `asinh`, `acosh`, `atanh`, `floor`, `ceil`,
//!   `round` (half to even, as numpy and Python), `trunc`, `square` (x²), and with two
//!   arguments `atan2(y, x)`, `pow(a, b)` (= `a**b`), `min(a, b)`, `max(a, b)`. numpy's names
//!   are accepted too (`arcsin`, `arccos`, `arctan`, `arctan2`, `arcsinh`, `arccosh`,
//!   `arctanh`, `absolute`, `fabs`, `power`, `minimum`, `maximum`), and a `np.`, `numpy.` or
//!   `math.` prefix is ignored (`np.sin(np.pi*x)`). See [`EXPRESSION_FUNCTIONS`].
//! - Not supported: `%`, `//`, comparisons, conditionals, indexing other than `x[i]`.
//!
//! A value outside a function's domain gives NaN (`sqrt(-1)`, `log(0) = -inf`); that is not
//! checked here.
//!
//! # Named functions
//!
//! A [`FunctionSpec::One`] equal to one of [`NAMED_FUNCTIONS`] is that function: `identity`
//! (`y = x`), `square` (`y_i = x_i²`), `product` (`y = Π x_i`), `sum` (`y = Σ x_i`), `norm`
//! (`y = sqrt(Σ x_i²)`, Euclidean, as `np.linalg.norm`), and the elementwise `abs`, `sin`,
//! `cos`, `exp`, `tanh` (`y_i = g(x_i)`).

use std::fmt;
use std::sync::Arc;

use exmex::{Express, FlatEx, FloatOpsFactory, MakeOperators, Operator};
use serde::{Deserialize, Serialize};

/// A function as written in configs: one expression string per output dimension, or a named
/// function (see the [module docs](self)). In RON: `"x0*x1"`, `["x0", "x1**2"]`, `"square"`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FunctionSpec {
    /// One expression (size_out 1), or the name of one of [`NAMED_FUNCTIONS`].
    One(String),
    /// One expression per output dimension (names of named functions are not looked up here).
    Many(Vec<String>),
}

impl From<&str> for FunctionSpec {
    fn from(s: &str) -> Self {
        FunctionSpec::One(s.to_string())
    }
}

impl From<String> for FunctionSpec {
    fn from(s: String) -> Self {
        FunctionSpec::One(s)
    }
}

impl From<Vec<String>> for FunctionSpec {
    fn from(v: Vec<String>) -> Self {
        FunctionSpec::Many(v)
    }
}

/// The named functions, usable as a whole [`FunctionSpec::One`]: `identity` (`y = x`),
/// `square` (`y_i = x_i²`), `product` (`y = Π x_i`), `sum` (`y = Σ x_i`), `norm`
/// (`y = sqrt(Σ x_i²)`), and elementwise `abs`, `sin`, `cos`, `exp`, `tanh`.
pub const NAMED_FUNCTIONS: &[&str] = &[
    "identity", "square", "product", "sum", "norm", "abs", "sin", "cos", "exp", "tanh",
];

/// The functions an expression may call, with their number of arguments (aliases included;
/// a `np.`, `numpy.` or `math.` prefix is stripped before the lookup).
pub const EXPRESSION_FUNCTIONS: &[(&str, usize)] = &[
    ("sin", 1),
    ("cos", 1),
    ("tan", 1),
    ("exp", 1),
    ("log", 1),
    ("ln", 1),
    ("sqrt", 1),
    ("abs", 1),
    ("tanh", 1),
    ("sinh", 1),
    ("cosh", 1),
    ("asin", 1),
    ("acos", 1),
    ("atan", 1),
    ("asinh", 1),
    ("acosh", 1),
    ("atanh", 1),
    ("arcsin", 1),
    ("arccos", 1),
    ("arctan", 1),
    ("arcsinh", 1),
    ("arccosh", 1),
    ("arctanh", 1),
    ("log2", 1),
    ("log10", 1),
    ("cbrt", 1),
    ("square", 1),
    ("floor", 1),
    ("ceil", 1),
    ("round", 1),
    ("trunc", 1),
    ("sign", 1),
    ("signum", 1),
    ("absolute", 1),
    ("fabs", 1),
    ("atan2", 2),
    ("arctan2", 2),
    ("pow", 2),
    ("power", 2),
    ("min", 2),
    ("minimum", 2),
    ("max", 2),
    ("maximum", 2),
];

/// How a function call is written for exmex.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Builtin {
    /// An exmex unary operator: `name(a)`.
    Unary(&'static str),
    /// An exmex binary operator used as `name(a, b)`.
    Binary(&'static str),
    /// `a^b`.
    Pow,
    /// `a^2`.
    Square,
}

/// Looks up a function name as written (prefix already stripped).
fn builtin(name: &str) -> Option<Builtin> {
    use Builtin::*;
    Some(match name {
        "abs" | "absolute" | "fabs" => Unary("abs"),
        "sign" | "signum" => Unary("signum"),
        "sqrt" => Unary("sqrt"),
        "cbrt" => Unary("cbrt"),
        "square" => Square,
        "exp" => Unary("exp"),
        "log" | "ln" => Unary("ln"),
        "log2" => Unary("log2"),
        "log10" => Unary("log10"),
        "sin" => Unary("sin"),
        "cos" => Unary("cos"),
        "tan" => Unary("tan"),
        "asin" | "arcsin" => Unary("asin"),
        "acos" | "arccos" => Unary("acos"),
        "atan" | "arctan" => Unary("atan"),
        "sinh" => Unary("sinh"),
        "cosh" => Unary("cosh"),
        "tanh" => Unary("tanh"),
        "asinh" | "arcsinh" => Unary("asinh"),
        "acosh" | "arccosh" => Unary("acosh"),
        "atanh" | "arctanh" => Unary("atanh"),
        "floor" => Unary("floor"),
        "ceil" => Unary("ceil"),
        "round" => Unary("round"),
        "trunc" => Unary("trunc"),
        "atan2" | "arctan2" => Binary("atan2"),
        "pow" | "power" => Pow,
        "min" | "minimum" => Binary("min"),
        "max" | "maximum" => Binary("max"),
        _ => return None,
    })
}

/// The named constants.
fn constant(name: &str) -> Option<f64> {
    match name {
        "pi" | "PI" => Some(std::f64::consts::PI),
        "e" | "E" => Some(std::f64::consts::E),
        "tau" | "TAU" => Some(std::f64::consts::TAU),
        _ => None,
    }
}

/// Why a function could not be compiled.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FunctionError {
    /// A [`FunctionSpec::Many`] with no expressions.
    #[error(
        "the function has no expressions; give one expression per output dimension, or one of the named functions ({})",
        NAMED_FUNCTIONS.join(", ")
    )]
    Empty,
    /// The expression is not valid syntax.
    #[error("cannot parse `{expression}`: {message}")]
    Parse {
        /// The expression as written.
        expression: String,
        /// What is wrong, and where (column, 1-based).
        message: String,
    },
    /// A name that is neither a variable nor a constant.
    #[error("unknown variable `{name}` in `{expression}`: {help}{}", did_you_mean(.suggestion))]
    UnknownVariable {
        /// The name as written.
        name: String,
        /// The expression as written.
        expression: String,
        /// Which variables there are.
        help: String,
        /// The nearest known name, if it looks like a typo.
        suggestion: Option<String>,
    },
    /// A call of a function that does not exist.
    #[error(
        "unknown function `{name}` in `{expression}`{}; the functions are {}",
        did_you_mean(.suggestion),
        function_list()
    )]
    UnknownFunction {
        /// The name as written.
        name: String,
        /// The expression as written.
        expression: String,
        /// The nearest function name, if it looks like a typo.
        suggestion: Option<String>,
    },
    /// A function called with the wrong number of arguments.
    #[error(
        "`{name}` takes {expected} argument{} but is given {found} in `{expression}`",
        if *.expected == 1 { "" } else { "s" }
    )]
    Arity {
        /// The function as written.
        name: String,
        /// The expression as written.
        expression: String,
        /// Its number of arguments.
        expected: usize,
        /// The number given.
        found: usize,
    },
}

fn did_you_mean(suggestion: &Option<String>) -> String {
    match suggestion {
        Some(s) => format!(" (did you mean `{s}`?)"),
        None => String::new(),
    }
}

fn function_list() -> String {
    EXPRESSION_FUNCTIONS
        .iter()
        .map(|(n, _)| *n)
        .collect::<Vec<_>>()
        .join(", ")
}

// ---------------------------------------------------------------------------------------------
// Variables
// ---------------------------------------------------------------------------------------------

/// The variables an expression may use and where their values come from: named variables
/// (`t`, `t_s` for processes) at fixed slots, and the input `x_i` at slot `first_input + i`.
#[derive(Clone, Debug)]
pub(crate) struct Scope {
    named: &'static [(&'static str, usize, &'static str)],
    first_input: usize,
    /// The input dimension, or `None` when not known yet (every `x_i` is accepted).
    size_in: Option<usize>,
}

impl Scope {
    /// The input `x0 … x{d-1}` at slots `0 … d-1` (connection functions).
    pub(crate) fn input(size_in: usize) -> Self {
        Scope {
            named: &[],
            first_input: 0,
            size_in: Some(size_in),
        }
    }

    /// `t` (ms) at slot 0, `t_s` (s) at slot 1 and the input `x_i` at slot `2 + i`
    /// (node outputs); `size_in: None` accepts every `x_i`.
    pub(crate) fn time(size_in: Option<usize>) -> Self {
        Scope {
            named: &[("t", 0, "t (ms)"), ("t_s", 1, "t_s (s)")],
            first_input: 2,
            size_in,
        }
    }

    /// The slot of variable `name` (canonical: `x[i]` already written `xi`).
    fn resolve(&self, name: &str) -> Option<usize> {
        if let Some((_, slot, _)) = self.named.iter().find(|(n, _, _)| *n == name) {
            return Some(*slot);
        }
        if name == "x" {
            return match self.size_in {
                Some(1) | None => Some(self.first_input),
                _ => None,
            };
        }
        let digits = name.strip_prefix('x')?;
        if digits.is_empty()
            || !digits.bytes().all(|b| b.is_ascii_digit())
            || (digits.len() > 1 && digits.starts_with('0'))
        {
            return None;
        }
        let i: usize = digits.parse().ok()?;
        match self.size_in {
            Some(d) if i >= d => None,
            _ => Some(self.first_input + i),
        }
    }

    fn input_list(d: usize) -> String {
        if d <= 6 {
            (0..d)
                .map(|i| format!("x{i}"))
                .collect::<Vec<_>>()
                .join(", ")
        } else {
            format!("x0, x1, …, x{}", d - 1)
        }
    }

    /// A sentence saying which variables there are.
    fn help(&self) -> String {
        let named: Vec<&str> = self.named.iter().map(|(_, _, h)| *h).collect();
        match (self.named.is_empty(), self.size_in) {
            (true, Some(0)) => "the input has no dimensions, so there are no variables".into(),
            (true, Some(1)) => "the input has 1 dimension, so the variables are x and x0".into(),
            (true, Some(d)) => format!(
                "the input has {d} dimensions, so the variables are {}",
                Self::input_list(d)
            ),
            (true, None) => "the variables are the input's x0, x1, …".into(),
            (false, Some(0)) => format!(
                "the node has no input, so the variables are {}",
                named.join(" and ")
            ),
            (false, Some(d)) => format!(
                "the node's input has {d} dimension{}, so the variables are {}, {}{}",
                if d == 1 { "" } else { "s" },
                named.join(", "),
                Self::input_list(d),
                if d == 1 { " (or x)" } else { "" }
            ),
            (false, None) => format!(
                "the variables are {} and the node's input x0, x1, …",
                named.join(", ")
            ),
        }
    }

    /// Names to suggest from.
    fn candidates(&self) -> Vec<String> {
        let mut c: Vec<String> = self.named.iter().map(|(n, _, _)| n.to_string()).collect();
        let d = self.size_in.unwrap_or(2);
        if d == 1 {
            c.push("x".into());
        }
        c.extend((0..d).map(|i| format!("x{i}")));
        c
    }
}

// ---------------------------------------------------------------------------------------------
// Parsing (Python syntax) into a fully parenthesised exmex string
// ---------------------------------------------------------------------------------------------

/// Deepest nesting accepted (parentheses, unary signs, right-associative powers).
const MAX_DEPTH: usize = 200;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Tok<'a> {
    Num(f64),
    Name(&'a str),
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Plus,
    Minus,
    Star,
    Slash,
    Pow,
    End,
}

impl Tok<'_> {
    fn describe(&self) -> String {
        match self {
            Tok::Num(v) => format!("the number {v}"),
            Tok::Name(n) => format!("`{n}`"),
            Tok::LParen => "`(`".into(),
            Tok::RParen => "`)`".into(),
            Tok::LBracket => "`[`".into(),
            Tok::RBracket => "`]`".into(),
            Tok::Comma => "`,`".into(),
            Tok::Plus => "`+`".into(),
            Tok::Minus => "`-`".into(),
            Tok::Star => "`*`".into(),
            Tok::Slash => "`/`".into(),
            Tok::Pow => "`**`".into(),
            Tok::End => "the end".into(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Pow,
}

impl BinOp {
    fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Pow => "^",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Node {
    Num(f64),
    Var(usize),
    Neg(Box<Node>),
    Bin(BinOp, Box<Node>, Box<Node>),
    Call(Builtin, Vec<Node>),
}

impl Node {
    /// Writes the node fully parenthesised, so exmex's own precedence rules (unary operators
    /// bind tighter than `^` there) never come into play. Variable in slot k is `v{k}`.
    fn write(&self, out: &mut String) {
        use std::fmt::Write;
        match self {
            // literals and constants are finite and ≥ 0; `Display` prints them in plain
            // decimal (exmex reads no exponents) and round-trips exactly
            Node::Num(v) => {
                let _ = write!(out, "{v}");
            }
            Node::Var(slot) => {
                let _ = write!(out, "v{slot}");
            }
            Node::Neg(a) => {
                out.push_str("(-(");
                a.write(out);
                out.push_str("))");
            }
            Node::Bin(op, a, b) => write_bin(out, op.symbol(), a, b),
            Node::Call(f, args) => match (f, args.as_slice()) {
                (Builtin::Unary(name), [a]) => {
                    out.push('(');
                    out.push_str(name);
                    out.push('(');
                    a.write(out);
                    out.push_str("))");
                }
                (Builtin::Binary(name), [a, b]) => {
                    out.push('(');
                    out.push_str(name);
                    out.push_str("((");
                    a.write(out);
                    out.push_str("), (");
                    b.write(out);
                    out.push_str(")))");
                }
                (Builtin::Pow, [a, b]) => write_bin(out, "^", a, b),
                (Builtin::Square, [a]) => write_bin(out, "^", a, &Node::Num(2.0)),
                // arity is checked while parsing
                _ => out.push_str("(0/0)"),
            },
        }
    }
}

fn write_bin(out: &mut String, op: &str, a: &Node, b: &Node) {
    out.push_str("((");
    a.write(out);
    out.push(')');
    out.push_str(op);
    out.push('(');
    b.write(out);
    out.push_str("))");
}

/// Splits `src` into tokens with their byte offsets.
fn tokenize(src: &str) -> Result<Vec<(Tok<'_>, usize)>, (usize, String)> {
    let b = src.as_bytes();
    let mut toks = Vec::new();
    let mut i = 0;
    let is_digit = |j: usize| j < b.len() && b[j].is_ascii_digit();
    let is_name_start = |j: usize| j < b.len() && (b[j].is_ascii_alphabetic() || b[j] == b'_');
    while i < b.len() {
        let c = b[i];
        let start = i;
        let tok = match c {
            b' ' | b'\t' | b'\n' | b'\r' => {
                i += 1;
                continue;
            }
            b'0'..=b'9' | b'.' => {
                while is_digit(i) {
                    i += 1;
                }
                if i < b.len() && b[i] == b'.' {
                    i += 1;
                    while is_digit(i) {
                        i += 1;
                    }
                }
                if i - start == 1 && c == b'.' {
                    return Err((start, "unexpected `.`".into()));
                }
                if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
                    let sign = usize::from(i + 1 < b.len() && matches!(b[i + 1], b'+' | b'-'));
                    if is_digit(i + 1 + sign) {
                        i += 1 + sign;
                        while is_digit(i) {
                            i += 1;
                        }
                    }
                }
                let text = &src[start..i];
                match text.parse::<f64>() {
                    Ok(v) if v.is_finite() => Tok::Num(v),
                    _ => return Err((start, format!("the number `{text}` is out of range"))),
                }
            }
            _ if is_name_start(i) => {
                while i < b.len()
                    && (b[i].is_ascii_alphanumeric()
                        || b[i] == b'_'
                        || (b[i] == b'.' && is_name_start(i + 1)))
                {
                    i += 1;
                }
                Tok::Name(&src[start..i])
            }
            b'(' => single(&mut i, Tok::LParen),
            b')' => single(&mut i, Tok::RParen),
            b'[' => single(&mut i, Tok::LBracket),
            b']' => single(&mut i, Tok::RBracket),
            b',' => single(&mut i, Tok::Comma),
            b'+' => single(&mut i, Tok::Plus),
            b'-' => single(&mut i, Tok::Minus),
            b'/' => single(&mut i, Tok::Slash),
            b'^' => single(&mut i, Tok::Pow),
            b'*' if i + 1 < b.len() && b[i + 1] == b'*' => {
                i += 2;
                Tok::Pow
            }
            b'*' => single(&mut i, Tok::Star),
            _ => {
                let ch = src[start..].chars().next().unwrap_or('?');
                let hint = match ch {
                    '%' => " (the modulo operator is not supported)",
                    '<' | '>' | '=' | '!' => " (comparisons are not supported)",
                    _ => "",
                };
                return Err((start, format!("unexpected character `{ch}`{hint}")));
            }
        };
        toks.push((tok, start));
    }
    toks.push((Tok::End, src.len()));
    Ok(toks)
}

fn single<'a>(i: &mut usize, tok: Tok<'a>) -> Tok<'a> {
    *i += 1;
    tok
}

/// Strips a `np.`, `numpy.` or `math.` prefix.
fn strip_module(name: &str) -> &str {
    ["np.", "numpy.", "math."]
        .iter()
        .find_map(|p| name.strip_prefix(p))
        .unwrap_or(name)
}

/// A Pratt parser with Python's binding powers.
struct Parser<'a> {
    src: &'a str,
    toks: Vec<(Tok<'a>, usize)>,
    pos: usize,
    depth: usize,
    scope: &'a Scope,
}

/// Binding power of a unary sign: tighter than `*`, looser than `**` on its right.
const UNARY_BP: u8 = 5;

impl<'a> Parser<'a> {
    fn error(&self, offset: usize, message: impl fmt::Display) -> FunctionError {
        let column = self.src[..offset.min(self.src.len())].chars().count() + 1;
        FunctionError::Parse {
            expression: self.src.to_string(),
            message: format!("{message} (column {column})"),
        }
    }

    fn peek(&self) -> (Tok<'a>, usize) {
        self.toks[self.pos.min(self.toks.len() - 1)]
    }

    fn next(&mut self) -> (Tok<'a>, usize) {
        let t = self.peek();
        if self.pos < self.toks.len() - 1 {
            self.pos += 1;
        }
        t
    }

    fn parse(src: &'a str, scope: &'a Scope) -> Result<Node, FunctionError> {
        let toks = tokenize(src).map_err(|(offset, message)| {
            let p = Parser {
                src,
                toks: Vec::new(),
                pos: 0,
                depth: 0,
                scope,
            };
            p.error(offset, message)
        })?;
        let mut p = Parser {
            src,
            toks,
            pos: 0,
            depth: 0,
            scope,
        };
        if p.peek().0 == Tok::End {
            return Err(p.error(0, "the expression is empty"));
        }
        let node = p.expr(0)?;
        match p.peek() {
            (Tok::End, _) => Ok(node),
            (Tok::Comma, offset) => Err(p.error(
                offset,
                "unexpected `,` (for several output dimensions, give a list of expressions)",
            )),
            (tok, offset) => Err(p.error(offset, format!("unexpected {}", tok.describe()))),
        }
    }

    fn expr(&mut self, min_bp: u8) -> Result<Node, FunctionError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            let offset = self.peek().1;
            return Err(self.error(
                offset,
                format!("the expression is nested more than {MAX_DEPTH} levels deep"),
            ));
        }
        let mut lhs = self.prefix()?;
        loop {
            let (tok, offset) = self.peek();
            let (l_bp, r_bp, op) = match tok {
                Tok::Plus => (1, 2, BinOp::Add),
                Tok::Minus => (1, 2, BinOp::Sub),
                Tok::Star => (3, 4, BinOp::Mul),
                Tok::Slash => (3, 4, BinOp::Div),
                Tok::Pow => (7, 6, BinOp::Pow),
                Tok::RParen | Tok::RBracket | Tok::Comma | Tok::End => break,
                other => {
                    return Err(self.error(
                        offset,
                        format!(
                            "expected an operator (+, -, *, /, **) or the end, found {}",
                            other.describe()
                        ),
                    ));
                }
            };
            if l_bp < min_bp {
                break;
            }
            self.next();
            let rhs = self.expr(r_bp)?;
            lhs = Node::Bin(op, Box::new(lhs), Box::new(rhs));
        }
        self.depth -= 1;
        Ok(lhs)
    }

    fn prefix(&mut self) -> Result<Node, FunctionError> {
        let (tok, offset) = self.next();
        match tok {
            Tok::Num(v) => Ok(Node::Num(v)),
            Tok::Minus => Ok(Node::Neg(Box::new(self.expr(UNARY_BP)?))),
            Tok::Plus => self.expr(UNARY_BP),
            Tok::LParen => {
                let inner = self.expr(0)?;
                match self.next() {
                    (Tok::RParen, _) => Ok(inner),
                    (tok, at) => Err(self.error(
                        at,
                        format!(
                            "expected `)` to close the `(` at column {}, found {}",
                            self.src[..offset].chars().count() + 1,
                            tok.describe()
                        ),
                    )),
                }
            }
            Tok::Name(raw) => self.name(raw, offset),
            other => Err(self.error(
                offset,
                format!(
                    "expected a number, a variable, a function call or `(`, found {}",
                    other.describe()
                ),
            )),
        }
    }

    fn name(&mut self, raw: &'a str, offset: usize) -> Result<Node, FunctionError> {
        let name = strip_module(raw);
        match self.peek().0 {
            Tok::LParen => return self.call(raw, name),
            Tok::LBracket if name == "x" => return self.indexed(),
            _ => {}
        }
        if let Some(v) = constant(name) {
            return Ok(Node::Num(v));
        }
        if builtin(name).is_some() {
            return Err(self.error(
                offset,
                format!("`{raw}` is a function: call it as {name}(...)"),
            ));
        }
        self.variable(raw, name)
    }

    fn variable(&self, written: &str, canonical: &str) -> Result<Node, FunctionError> {
        match self.scope.resolve(canonical) {
            Some(slot) => Ok(Node::Var(slot)),
            None => {
                let candidates = self.scope.candidates();
                Err(FunctionError::UnknownVariable {
                    name: written.to_string(),
                    expression: self.src.to_string(),
                    help: self.scope.help(),
                    suggestion: crate::names::nearest(
                        canonical,
                        candidates.iter().map(String::as_str),
                    ),
                })
            }
        }
    }

    /// `x[i]` (the `x` is consumed).
    fn indexed(&mut self) -> Result<Node, FunctionError> {
        self.next(); // `[`
        let index = match self.next() {
            (Tok::Num(v), _) if v >= 0.0 && v.fract() == 0.0 && v < 1e15 => v as usize,
            (tok, at) => {
                return Err(self.error(
                    at,
                    format!(
                        "expected a whole number as the index of `x[...]`, found {}",
                        tok.describe()
                    ),
                ));
            }
        };
        match self.next() {
            (Tok::RBracket, _) => {}
            (tok, at) => {
                return Err(self.error(
                    at,
                    format!("expected `]` after `x[{index}`, found {}", tok.describe()),
                ));
            }
        }
        self.variable(&format!("x[{index}]"), &format!("x{index}"))
    }

    /// `name(args…)` (the name is consumed, `(` is next).
    fn call(&mut self, raw: &str, name: &str) -> Result<Node, FunctionError> {
        let Some(f) = builtin(name) else {
            return Err(FunctionError::UnknownFunction {
                name: raw.to_string(),
                expression: self.src.to_string(),
                suggestion: crate::names::nearest(
                    name,
                    EXPRESSION_FUNCTIONS.iter().map(|(n, _)| *n),
                ),
            });
        };
        let (_, open) = self.next(); // `(`
        let mut args = Vec::new();
        if self.peek().0 == Tok::RParen {
            self.next();
        } else {
            loop {
                args.push(self.expr(0)?);
                match self.next() {
                    (Tok::Comma, _) => {}
                    (Tok::RParen, _) => break,
                    (tok, at) => {
                        return Err(self.error(
                            at,
                            format!(
                                "expected `,` or `)` in the call of `{raw}` opened at column {}, found {}",
                                self.src[..open].chars().count() + 1,
                                tok.describe()
                            ),
                        ));
                    }
                }
            }
        }
        let expected = match f {
            Builtin::Unary(_) | Builtin::Square => 1,
            Builtin::Binary(_) | Builtin::Pow => 2,
        };
        if args.len() != expected {
            return Err(FunctionError::Arity {
                name: raw.to_string(),
                expression: self.src.to_string(),
                expected,
                found: args.len(),
            });
        }
        Ok(Node::Call(f, args))
    }
}

// ---------------------------------------------------------------------------------------------
// Compiled expressions
// ---------------------------------------------------------------------------------------------

/// exmex's float operators with numpy's `round` (half to even) and `sign` (0 at 0).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Ops;

fn numpy_sign(a: f64) -> f64 {
    if a > 0.0 {
        1.0
    } else if a < 0.0 {
        -1.0
    } else {
        a // ±0 and NaN
    }
}

impl MakeOperators<f64> for Ops {
    fn make<'a>() -> Vec<Operator<'a, f64>> {
        let mut ops = FloatOpsFactory::<f64>::make();
        for op in &mut ops {
            match op.repr() {
                "round" => *op = Operator::make_unary("round", f64::round_ties_even),
                "signum" => *op = Operator::make_unary("signum", numpy_sign),
                _ => {}
            }
        }
        ops
    }
}

/// Variables gathered on the stack per evaluation (exmex's own stack size).
const STACK_VARS: usize = 16;

/// One compiled expression: its text, the exmex form and where each exmex variable's value
/// comes from.
#[derive(Clone, Debug)]
pub(crate) struct Expression {
    text: String,
    flat: FlatEx<f64, Ops>,
    /// Slot of exmex's k-th variable (exmex orders variables alphabetically).
    slots: Vec<usize>,
    /// The slot, when the whole expression is one variable.
    as_var: Option<usize>,
}

impl Expression {
    /// Parses `text` with the variables of `scope`.
    pub(crate) fn compile(text: &str, scope: &Scope) -> Result<Self, FunctionError> {
        let node = Parser::parse(text, scope)?;
        let mut rewritten = String::new();
        node.write(&mut rewritten);
        let internal = |message: String| FunctionError::Parse {
            expression: text.to_string(),
            message,
        };
        let flat = FlatEx::<f64, Ops>::parse(&rewritten).map_err(|e| {
            internal(format!(
                "exmex rejects its rewritten form `{rewritten}`: {e}"
            ))
        })?;
        let slots = flat
            .var_names()
            .iter()
            .map(|n| n.strip_prefix('v').and_then(|k| k.parse().ok()))
            .collect::<Option<Vec<usize>>>()
            .ok_or_else(|| internal(format!("unexpected variables in `{rewritten}`")))?;
        let as_var = match node {
            Node::Var(slot) => Some(slot),
            _ => None,
        };
        Ok(Expression {
            text: text.to_string(),
            flat,
            slots,
            as_var,
        })
    }

    /// The expression as written.
    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    /// The slot, when the whole expression is one variable.
    pub(crate) fn as_var(&self) -> Option<usize> {
        self.as_var
    }

    /// Evaluates with `value(slot)` as the value of the variable in `slot`. No allocation for
    /// up to 16 distinct variables (and exmex's 32 operands).
    #[inline]
    pub(crate) fn eval(&self, value: impl Fn(usize) -> f64) -> f64 {
        let n = self.slots.len();
        let result = if n <= STACK_VARS {
            let mut buf = [0.0; STACK_VARS];
            for (b, &s) in buf.iter_mut().zip(&self.slots) {
                *b = value(s);
            }
            self.flat.eval(&buf[..n])
        } else {
            let buf: Vec<f64> = self.slots.iter().map(|&s| value(s)).collect();
            self.flat.eval(&buf)
        };
        // exmex only fails on a wrong number of values, which cannot happen here
        result.unwrap_or(f64::NAN)
    }
}

/// Compiles every expression of `spec` (no named functions) in `scope`.
pub(crate) fn compile_expressions(
    spec: &FunctionSpec,
    scope: &Scope,
) -> Result<Vec<Expression>, FunctionError> {
    let texts: &[String] = match spec {
        FunctionSpec::One(s) => std::slice::from_ref(s),
        FunctionSpec::Many(v) => v,
    };
    if texts.is_empty() {
        return Err(FunctionError::Empty);
    }
    texts
        .iter()
        .map(|t| Expression::compile(t, scope))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Functions
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Named {
    Identity,
    Square,
    Product,
    Sum,
    Norm,
    Abs,
    Sin,
    Cos,
    Exp,
    Tanh,
}

impl Named {
    fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "identity" => Named::Identity,
            "square" => Named::Square,
            "product" => Named::Product,
            "sum" => Named::Sum,
            "norm" => Named::Norm,
            "abs" => Named::Abs,
            "sin" => Named::Sin,
            "cos" => Named::Cos,
            "exp" => Named::Exp,
            "tanh" => Named::Tanh,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Named::Identity => "identity",
            Named::Square => "square",
            Named::Product => "product",
            Named::Sum => "sum",
            Named::Norm => "norm",
            Named::Abs => "abs",
            Named::Sin => "sin",
            Named::Cos => "cos",
            Named::Exp => "exp",
            Named::Tanh => "tanh",
        }
    }

    fn size_out(self, size_in: usize) -> usize {
        match self {
            Named::Product | Named::Sum | Named::Norm => 1,
            _ => size_in,
        }
    }

    fn eval(self, x: &[f64], out: &mut [f64]) {
        let map = |out: &mut [f64], g: fn(f64) -> f64| {
            for (o, &v) in out.iter_mut().zip(x) {
                *o = g(v);
            }
        };
        match self {
            Named::Identity => out.copy_from_slice(x),
            Named::Square => map(out, |v| v * v),
            Named::Product => out[0] = x.iter().product(),
            Named::Sum => out[0] = x.iter().sum(),
            Named::Norm => out[0] = x.iter().map(|v| v * v).sum::<f64>().sqrt(),
            Named::Abs => map(out, f64::abs),
            Named::Sin => map(out, f64::sin),
            Named::Cos => map(out, f64::cos),
            Named::Exp => map(out, f64::exp),
            Named::Tanh => map(out, f64::tanh),
        }
    }
}

type Closure = Arc<dyn Fn(&[f64], &mut [f64]) + Send + Sync>;

#[derive(Clone)]
enum Kind {
    Named(Named),
    Exprs(Vec<Expression>),
    Closure(Closure),
}

/// A compiled function `y = f(x)` of a `size_in`-dimensional input with a `size_out`-dimensional
/// output (Nengo's `Connection(function=f)`; see the [module docs](self) for what may be
/// written).
#[derive(Clone)]
pub struct Function {
    size_in: usize,
    size_out: usize,
    kind: Kind,
}

impl fmt::Debug for Function {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("Function");
        s.field("size_in", &self.size_in)
            .field("size_out", &self.size_out);
        match &self.kind {
            Kind::Named(n) => s.field("named", &n.name()),
            Kind::Exprs(es) => s.field(
                "expressions",
                &es.iter().map(Expression::text).collect::<Vec<_>>(),
            ),
            Kind::Closure(_) => s.field("closure", &"Fn(&[f64], &mut [f64])"),
        };
        s.finish()
    }
}

impl Function {
    /// Compiles `spec` for a `size_in`-dimensional input: a [`FunctionSpec::One`] that is one
    /// of [`NAMED_FUNCTIONS`] is that function, anything else is parsed as expressions (one per
    /// output dimension) in the variables `x0 … x{size_in-1}`.
    pub fn compile(spec: &FunctionSpec, size_in: usize) -> Result<Function, FunctionError> {
        if let FunctionSpec::One(s) = spec
            && let Some(named) = Named::from_name(s.trim())
        {
            return Ok(Function {
                size_in,
                size_out: named.size_out(size_in),
                kind: Kind::Named(named),
            });
        }
        let scope = Scope::input(size_in);
        let exprs = compile_expressions(spec, &scope).map_err(|e| match (spec, e) {
            // a lone unknown name may be a misspelt named function
            (
                FunctionSpec::One(s),
                FunctionError::UnknownVariable {
                    name,
                    expression,
                    help,
                    suggestion,
                },
            ) if s.trim() == name => {
                let mut candidates = scope.candidates();
                candidates.extend(NAMED_FUNCTIONS.iter().map(|n| n.to_string()));
                FunctionError::UnknownVariable {
                    suggestion: crate::names::nearest(&name, candidates.iter().map(String::as_str))
                        .or(suggestion),
                    help: format!(
                        "{help}; a whole function can also be one of {}",
                        NAMED_FUNCTIONS.join(", ")
                    ),
                    name,
                    expression,
                }
            }
            (_, e) => e,
        })?;
        Ok(Function {
            size_in,
            size_out: exprs.len(),
            kind: Kind::Exprs(exprs),
        })
    }

    /// A function given as a Rust closure `f(x, out)` (`x.len() == size_in`,
    /// `out.len() == size_out`).
    pub fn from_fn(
        size_in: usize,
        size_out: usize,
        f: impl Fn(&[f64], &mut [f64]) + Send + Sync + 'static,
    ) -> Function {
        Function {
            size_in,
            size_out,
            kind: Kind::Closure(Arc::new(f)),
        }
    }

    /// The input dimension d.
    pub fn size_in(&self) -> usize {
        self.size_in
    }

    /// The output dimension.
    pub fn size_out(&self) -> usize {
        self.size_out
    }

    /// Whether `f(x) = x` (named `identity`, or expressions `x0, x1, …` in order), so that a
    /// connection can skip evaluating it (Nengo's `function=None`).
    pub fn is_identity(&self) -> bool {
        match &self.kind {
            Kind::Named(n) => *n == Named::Identity,
            Kind::Exprs(es) => {
                es.len() == self.size_in
                    && es.iter().enumerate().all(|(k, e)| e.as_var() == Some(k))
            }
            Kind::Closure(_) => false,
        }
    }

    /// Evaluates `out = f(x)` at one point; no allocation (see the [module docs](self)).
    ///
    /// # Panics
    /// If `x.len() != size_in()` or `out.len() != size_out()`.
    pub fn eval(&self, x: &[f64], out: &mut [f64]) {
        assert_eq!(
            x.len(),
            self.size_in,
            "Function::eval: x has the wrong length"
        );
        assert_eq!(
            out.len(),
            self.size_out,
            "Function::eval: out has the wrong length"
        );
        match &self.kind {
            Kind::Named(n) => n.eval(x, out),
            Kind::Exprs(es) => {
                for (o, e) in out.iter_mut().zip(es) {
                    *o = e.eval(|s| x[s]);
                }
            }
            Kind::Closure(f) => f(x, out),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(spec: impl Into<FunctionSpec>, d: usize) -> Function {
        let spec = spec.into();
        Function::compile(&spec, d).unwrap_or_else(|e| panic!("{spec:?}: {e}"))
    }

    fn many(v: &[&str]) -> FunctionSpec {
        FunctionSpec::Many(v.iter().map(|s| s.to_string()).collect())
    }

    fn at(func: &Function, x: &[f64]) -> Vec<f64> {
        let mut out = vec![f64::NAN; func.size_out()];
        func.eval(x, &mut out);
        out
    }

    fn at1(spec: &str, x: f64) -> f64 {
        at(&f(spec, 1), &[x])[0]
    }

    fn err(spec: impl Into<FunctionSpec>, d: usize) -> FunctionError {
        let spec = spec.into();
        match Function::compile(&spec, d) {
            Ok(func) => panic!("{spec:?} compiled to {func:?}"),
            Err(e) => e,
        }
    }

    #[test]
    fn powers_and_products() {
        assert_eq!(at1("x**2", 0.5), 0.25);
        assert_eq!(at1("x^2", 0.5), 0.25);
        assert_eq!(at1("x[0]**2", 0.5), 0.25);
        assert_eq!(at(&f("x0*x1", 2), &[2.0, 3.0]), [6.0]);
        assert_eq!(at(&f("x[0]*x[1]", 2), &[2.0, 3.0]), [6.0]);
        assert_eq!(at(&f("x0", 2), &[2.0, 3.0]), [2.0]);
        assert_eq!(at(&f("x1", 2), &[2.0, 3.0]), [3.0]);
        assert_eq!(at(&f("7", 2), &[2.0, 3.0]), [7.0]);
    }

    #[test]
    fn python_precedence() {
        // Python: ** binds tighter than a unary minus on its left, is right-associative,
        // and its right operand may carry a sign
        assert_eq!(at1("-x**2", 3.0), -9.0);
        assert_eq!(at1("-2**2", 0.0), -4.0);
        assert_eq!(at1("(-x)**2", 3.0), 9.0);
        assert_eq!(at1("2**-1", 0.0), 0.5);
        assert_eq!(at1("2**-x**2", 1.0), 0.5);
        assert_eq!(at1("2**3**2", 0.0), 512.0);
        assert_eq!(at1("1/-x", 4.0), -0.25);
        assert_eq!(at1("2*-x**2", 3.0), -18.0);
        assert_eq!(at1("- -x", 3.0), 3.0);
        assert_eq!(at1("+x", 3.0), 3.0);
        // * and / are left-associative, as are + and -
        assert_eq!(at1("12/2/3", 0.0), 2.0);
        assert_eq!(at1("2-3-4", 0.0), -5.0);
        assert_eq!(at1("1 + 2*3", 0.0), 7.0);
        assert_eq!(at1("(1 + 2)*3", 0.0), 9.0);
        assert_eq!(at1("-sin(x)**2", 0.7), -(0.7f64.sin().powi(2)));
    }

    #[test]
    fn numbers() {
        assert_eq!(at1("1e-3*x", 1000.0), 1.0);
        assert_eq!(at1("2.5E+2", 0.0), 250.0);
        assert_eq!(at1(".5 + 5.", 0.0), 5.5);
        assert_eq!(at1("0.1", 0.0), 0.1);
        assert_eq!(at1("1e-300", 0.0), 1e-300);
    }

    #[test]
    fn constants_and_functions() {
        assert!((at1("sin(pi*x)", 0.5) - 1.0).abs() <= 1e-15);
        assert!((at1("np.sin(np.pi*x)", 0.5) - 1.0).abs() <= 1e-15);
        assert!((at1("math.cos(tau*x)", 0.5) + 1.0).abs() <= 1e-15);
        assert_eq!(at1("log(e)", 0.0), 1.0);
        assert_eq!(at1("ln(exp(x))", 2.0), 2.0);
        assert_eq!(at1("log10(x)", 1000.0), 3.0);
        assert_eq!(at1("log2(x)", 8.0), 3.0);
        assert_eq!(at1("sqrt(x)", 16.0), 4.0);
        assert_eq!(at1("abs(x)", -2.0), 2.0);
        assert_eq!(at1("square(x)", -3.0), 9.0);
        assert_eq!(at1("pow(x, 3)", 2.0), 8.0);
        assert_eq!(at(&f("max(x0, x1)", 2), &[1.0, 2.0]), [2.0]);
        assert_eq!(at(&f("minimum(x0, x1)", 2), &[1.0, 2.0]), [1.0]);
        assert_eq!(
            at(&f("arctan2(x0, x1)", 2), &[1.0, -1.0]),
            [0.75 * std::f64::consts::PI]
        );
        // numpy's round and sign
        assert_eq!(at1("round(x)", 2.5), 2.0);
        assert_eq!(at1("round(x)", 3.5), 4.0);
        assert_eq!(at1("sign(x)", 0.0), 0.0);
        assert_eq!(at1("sign(x)", -3.0), -1.0);
        // laws
        for x in [-2.0, -0.3, 0.0, 0.4, 1.7] {
            let pyth = at1("sin(x)**2 + cos(x)**2", x);
            assert!((pyth - 1.0).abs() <= 2e-16, "{x}: {pyth}");
            let th = at1("tanh(x) - (exp(x) - exp(-x))/(exp(x) + exp(-x))", x);
            assert!(th.abs() <= 1e-15, "{x}: {th}");
            assert!((at1("atan(tan(x/2))", x) - x / 2.0).abs() <= 1e-15);
        }
        // every listed function is callable with its arity
        for (name, arity) in EXPRESSION_FUNCTIONS {
            let arg = if name.contains("cosh") { "1.5" } else { "0.5" };
            let args = vec![arg; *arity].join(", ");
            let func = f(format!("{name}({args})").as_str(), 1);
            assert!(at(&func, &[0.0])[0].is_finite(), "{name}");
            assert!(builtin(name).is_some(), "{name}");
        }
    }

    #[test]
    fn variables_beyond_ten_and_sixteen() {
        // exmex orders variables alphabetically (x10 before x2): the values must still land
        let x: Vec<f64> = (0..20).map(|i| i as f64).collect();
        assert_eq!(at(&f("x10 - x2", 20), &x), [8.0]);
        let all = (0..20)
            .map(|i| format!("x{i}"))
            .collect::<Vec<_>>()
            .join(" + ");
        assert_eq!(at(&f(all.as_str(), 20), &x), [190.0]);
        let out = at(&f(many(&["x19", "x0", "x[11]*2"]), 20), &x);
        assert_eq!(out, [19.0, 0.0, 22.0]);
    }

    #[test]
    fn named_functions() {
        assert_eq!(at(&f("square", 2), &[3.0, -4.0]), [9.0, 16.0]);
        assert_eq!(at(&f("product", 3), &[2.0, 3.0, 4.0]), [24.0]);
        assert_eq!(at(&f("sum", 3), &[2.0, 3.0, 4.0]), [9.0]);
        assert_eq!(at(&f("norm", 2), &[3.0, -4.0]), [5.0]);
        assert_eq!(at(&f("identity", 2), &[3.0, -4.0]), [3.0, -4.0]);
        assert_eq!(at(&f("abs", 2), &[3.0, -4.0]), [3.0, 4.0]);
        assert_eq!(at(&f("exp", 1), &[0.0]), [1.0]);
        assert_eq!(at(&f("cos", 1), &[0.0]), [1.0]);
        assert_eq!(at(&f("sin", 1), &[0.0]), [0.0]);
        assert_eq!(at(&f("tanh", 1), &[0.0]), [0.0]);
        assert_eq!(f("product", 3).size_out(), 1);
        assert_eq!(f("square", 3).size_out(), 3);
        for name in NAMED_FUNCTIONS {
            let n = Named::from_name(name).expect(name);
            assert_eq!(n.name(), *name);
        }
        // a named function equals the expressions it stands for
        let x = [0.3, -1.2];
        assert_eq!(
            at(&f("square", 2), &x),
            at(&f(many(&["x0**2", "x1**2"]), 2), &x)
        );
        assert_eq!(at(&f("product", 2), &x), at(&f("x0*x1", 2), &x));
        assert_eq!(at(&f("norm", 2), &x), at(&f("sqrt(x0**2 + x1**2)", 2), &x));
    }

    #[test]
    fn identity_detection() {
        assert!(f("identity", 3).is_identity());
        assert!(f("x", 1).is_identity());
        assert!(f("(x0)", 1).is_identity());
        assert!(f(many(&["x0", "x[1]"]), 2).is_identity());
        assert!(!f(many(&["x1", "x0"]), 2).is_identity());
        assert!(!f("x0", 2).is_identity());
        assert!(!f("square", 1).is_identity());
        assert!(!Function::from_fn(1, 1, |x, y| y.copy_from_slice(x)).is_identity());
    }

    #[test]
    fn closures() {
        let func = Function::from_fn(2, 1, |x, y| y[0] = x[0] - x[1]);
        let copy = func.clone();
        assert_eq!(at(&copy, &[5.0, 3.0]), [2.0]);
        assert_eq!((func.size_in(), func.size_out()), (2, 1));
        assert!(format!("{func:?}").contains("closure"));
        fn send_sync<T: Send + Sync + Clone + fmt::Debug>() {}
        send_sync::<Function>();
    }

    #[test]
    fn parse_errors() {
        for bad in [
            "x0*",
            "x0 x1",
            "(x0",
            "x0)",
            "",
            "  ",
            "x0 % 2",
            "x0 < 1",
            "sin + 1",
            "x[1.5]",
            "1e999",
            "f(x0)(x1)",
            "sin(x0, )",
        ] {
            let e = err(bad, 2);
            match &e {
                FunctionError::Parse {
                    expression,
                    message,
                } => {
                    assert_eq!(expression, bad);
                    assert!(!message.is_empty());
                }
                FunctionError::UnknownFunction { .. } if bad.starts_with("f(") => {}
                other => panic!("{bad}: {other:?}"),
            }
        }
        let msg = err("x0 *", 2).to_string();
        assert!(msg.starts_with("cannot parse `x0 *`:"), "{msg}");
        assert!(err("x0 % 2", 2).to_string().contains("modulo"));
        assert!(err("x0, x1", 2).to_string().contains("list"));
        let nested = format!("{}x{}", "(".repeat(150), ")".repeat(150));
        assert_eq!(at1(&nested, 2.0), 2.0);
        assert_eq!(at1(&format!("{}x", "-".repeat(150)), 2.0), 2.0);
        assert_eq!(at1(&format!("x{}", "**1".repeat(150)), 2.0), 2.0);
        let deep = format!("{}x{}", "(".repeat(500), ")".repeat(500));
        assert!(matches!(err(deep.as_str(), 1), FunctionError::Parse { .. }));
        assert_eq!(err(FunctionSpec::Many(vec![]), 2), FunctionError::Empty);
    }

    #[test]
    fn unknown_names() {
        let e = err("x0*x2", 2);
        assert_eq!(
            e.to_string(),
            "unknown variable `x2` in `x0*x2`: the input has 2 dimensions, so the variables are x0, x1 (did you mean `x0`?)"
        );
        assert!(matches!(
            err("y", 1),
            FunctionError::UnknownVariable { ref name, .. } if name == "y"
        ));
        // `x` alone only in 1-D
        assert!(matches!(err("x", 2), FunctionError::UnknownVariable { .. }));
        assert!(
            matches!(err("x[2]", 2), FunctionError::UnknownVariable { ref name, .. } if name == "x[2]")
        );
        // a misspelt named function
        match err("squre", 2) {
            FunctionError::UnknownVariable {
                suggestion, help, ..
            } => {
                assert_eq!(suggestion.as_deref(), Some("square"));
                assert!(help.contains("identity"), "{help}");
            }
            other => panic!("{other:?}"),
        }
        match err("sinn(x0)", 2) {
            FunctionError::UnknownFunction {
                name, suggestion, ..
            } => {
                assert_eq!(name, "sinn");
                assert_eq!(suggestion.as_deref(), Some("sin"));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            err("atan2(x0)", 2),
            FunctionError::Arity {
                name: "atan2".into(),
                expression: "atan2(x0)".into(),
                expected: 2,
                found: 1
            }
        );
    }
}
