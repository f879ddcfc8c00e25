//! Small builders of ONNX protobuf messages: tensors, value infos, nodes.

use tract_onnx::pb;

/// A tensor whose elements are stored as raw little-endian bytes.
fn raw_tensor(
    name: &str,
    dims: &[usize],
    data_type: pb::tensor_proto::DataType,
    raw_data: Vec<u8>,
) -> pb::TensorProto {
    pb::TensorProto {
        name: name.into(),
        dims: dims.iter().map(|&d| d as i64).collect(),
        data_type: data_type as i32,
        raw_data,
        ..Default::default()
    }
}

/// A tensor of bytes.
pub(super) fn tensor_u8(name: &str, dims: &[usize], values: Vec<u8>) -> pb::TensorProto {
    raw_tensor(name, dims, pb::tensor_proto::DataType::Uint8, values)
}

/// A tensor of signed bytes.
pub(super) fn tensor_i8(name: &str, dims: &[usize], values: &[i8]) -> pb::TensorProto {
    let raw = values.iter().map(|&v| v as u8).collect();
    raw_tensor(name, dims, pb::tensor_proto::DataType::Int8, raw)
}

/// A float16 tensor from float32 values.
pub(super) fn tensor_f16(name: &str, dims: &[usize], values: &[f32]) -> pb::TensorProto {
    let raw = values
        .iter()
        .flat_map(|&v| half::f16::from_f32(v).to_le_bytes())
        .collect();
    raw_tensor(name, dims, pb::tensor_proto::DataType::Float16, raw)
}

/// A float32 tensor.
pub(super) fn tensor_f32(name: &str, dims: &[usize], values: &[f32]) -> pb::TensorProto {
    pb::TensorProto {
        name: name.into(),
        dims: dims.iter().map(|&d| d as i64).collect(),
        data_type: pb::tensor_proto::DataType::Float as i32,
        float_data: values.to_vec(),
        ..Default::default()
    }
}

/// A one-dimensional int64 tensor.
pub(super) fn tensor_i64(name: &str, values: &[i64]) -> pb::TensorProto {
    pb::TensorProto {
        name: name.into(),
        dims: vec![values.len() as i64],
        data_type: pb::tensor_proto::DataType::Int64 as i32,
        int64_data: values.to_vec(),
        ..Default::default()
    }
}

/// The declaration of a graph input or output: its element type and shape.
pub(super) fn value_info(
    name: &str,
    elem: pb::tensor_proto::DataType,
    dims: &[Dim<'_>],
) -> pb::ValueInfoProto {
    use pb::tensor_shape_proto::{Dimension, dimension::Value};
    let dim = dims
        .iter()
        .map(|d| Dimension {
            value: Some(match d {
                Dim::Fixed(n) => Value::DimValue(*n as i64),
                Dim::Named(s) => Value::DimParam((*s).into()),
            }),
            ..Default::default()
        })
        .collect();
    pb::ValueInfoProto {
        name: name.into(),
        r#type: Some(pb::TypeProto {
            value: Some(pb::type_proto::Value::TensorType(pb::type_proto::Tensor {
                elem_type: elem as i32,
                shape: Some(pb::TensorShapeProto { dim }),
            })),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// One dimension of a declared shape.
pub(super) enum Dim<'a> {
    /// A fixed length.
    Fixed(usize),
    /// A length named by a symbol, set when the graph runs.
    Named(&'a str),
}

/// A node of one output, named after it.
pub(super) fn node(
    op: &str,
    inputs: &[&str],
    output: &str,
    attributes: Vec<pb::AttributeProto>,
) -> pb::NodeProto {
    pb::NodeProto {
        op_type: op.into(),
        name: output.into(),
        input: inputs.iter().map(|s| s.to_string()).collect(),
        output: vec![output.into()],
        attribute: attributes,
        ..Default::default()
    }
}

/// An integer attribute of a node.
pub(super) fn int_attribute(name: &str, value: i64) -> pb::AttributeProto {
    pb::AttributeProto {
        name: name.into(),
        r#type: pb::attribute_proto::AttributeType::Int as i32,
        i: value,
        ..Default::default()
    }
}
