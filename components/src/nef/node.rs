//! NEF nodes (`nengo.Node`): non-neural objects that output a vector every step — a function
//! of time, of their input, both, or (a *passthrough* node) just their input.

use bevy_ecs::prelude::*;
use serde::{Deserialize, Serialize};

use super::process::{Process, ProcessError, ProcessStep};
use crate::Real;
use crate::rng::StreamKey;

/// A node as written in configs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeParams {
    /// What the node outputs; none makes it a passthrough node (output = input).
    #[serde(default)]
    pub output: Option<Process>,
    /// Dimensions of the node's input (0: it takes no input).
    #[serde(default)]
    pub size_in: usize,
    /// Dimensions of the output; checked against `output` when both are given.
    #[serde(default)]
    pub size_out: Option<usize>,
    /// A `.csv` or `.npy` table (steps × dimensions, relative to the config) replayed as the
    /// output, row k at step k and the last row held after the end — instead of `output`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
}

impl NodeParams {
    /// A node whose output is `output` (no input).
    pub fn new(output: Process) -> Self {
        Self {
            output: Some(output),
            size_in: 0,
            size_out: None,
            file: None,
        }
    }

    /// A passthrough node of `size` dimensions (output = input).
    pub fn passthrough(size: usize) -> Self {
        Self {
            output: None,
            size_in: size,
            size_out: None,
            file: None,
        }
    }
}

/// A user's node function: `f(t_ms, input, output)`; it may keep state (e.g. the seed's ISI
/// node).
pub type NodeClosure = Box<dyn FnMut(f64, &[f64], &mut [f64]) + Send + Sync>;

/// What computes a node's output.
pub enum NodeOutput {
    /// `output = input` (`Node(size_in=n)` with no output function).
    Passthrough,
    /// A process of time (and input), from configs.
    Process(ProcessStep),
    /// A Rust closure.
    Closure(NodeClosure),
}

/// Why a node cannot be built.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum NodeError {
    /// The output process is invalid.
    #[error("`output`: {0}")]
    Process(#[from] ProcessError),
    /// Sizes disagree.
    #[error("`{field}`: {message}")]
    Size {
        /// The parameter.
        field: &'static str,
        /// What was expected and found.
        message: String,
    },
}

/// A node entity's state: its input `x` (summed from its incoming connections each step) and
/// output (also mirrored into the entity's `output` compartment).
#[derive(Component)]
pub struct Node {
    /// Input dimensions.
    pub size_in: usize,
    /// Output dimensions.
    pub size_out: usize,
    /// What computes the output.
    pub output: NodeOutput,
    /// This step's input.
    pub x: Vec<f64>,
    /// This step's output.
    pub y: Vec<f64>,
}

impl Node {
    /// Builds a node from its parameters (`dt` in ms; `key` is the node's random stream).
    pub fn build(p: &NodeParams, dt: f64, key: StreamKey) -> Result<Node, NodeError> {
        let (output, size_out) = match &p.output {
            None => {
                if p.size_in == 0 {
                    return Err(NodeError::Size {
                        field: "size_in",
                        message: "a passthrough node (no `output`) needs size_in ≥ 1".into(),
                    });
                }
                if let Some(s) = p.size_out.filter(|s| *s != p.size_in) {
                    return Err(NodeError::Size {
                        field: "size_out",
                        message: format!(
                            "a passthrough node outputs its input: size_out must equal size_in \
                             ({}), found {s}",
                            p.size_in
                        ),
                    });
                }
                (NodeOutput::Passthrough, p.size_in)
            }
            Some(proc_) => {
                proc_.validate()?;
                let n = proc_.size_out();
                if let Some(s) = p.size_out.filter(|s| *s != n) {
                    return Err(NodeError::Size {
                        field: "size_out",
                        message: format!("`output` gives {n} values, but size_out is {s}"),
                    });
                }
                (NodeOutput::Process(proc_.make_step(p.size_in, dt, key)?), n)
            }
        };
        Ok(Node::new(p.size_in, size_out, output))
    }

    /// A node with the given sizes and output.
    pub fn new(size_in: usize, size_out: usize, output: NodeOutput) -> Node {
        Node {
            size_in,
            size_out,
            output,
            x: vec![0.0; size_in],
            y: vec![0.0; size_out],
        }
    }

    /// Whether the node only passes its input on (`Node.is_passthrough` in Nengo: no output
    /// function).
    pub fn is_passthrough(&self) -> bool {
        matches!(self.output, NodeOutput::Passthrough)
    }

    /// Computes this step's output (step `k`, 1-based; `t_ms = k·dt`) from `self.x` into
    /// `self.y` and `out`.
    pub fn step(&mut self, k: u64, t_ms: f64, out: &mut [Real]) {
        match &mut self.output {
            NodeOutput::Passthrough => self.y.copy_from_slice(&self.x),
            NodeOutput::Process(p) => p.step(k, t_ms, &self.x, &mut self.y),
            NodeOutput::Closure(f) => f(t_ms, &self.x, &mut self.y),
        }
        for (o, y) in out.iter_mut().zip(&self.y) {
            *o = *y as Real;
        }
    }
}
