/**
 * The message types the graphs plugin prints: `GraphDef` and `RunMetadata` with everything they embed (TensorFlow's
 * framework protos as TensorBoard 2.20 vendors them under `tensorboard/compat/proto`), in {@link defineSchema}'s
 * notation. Field names and numbers are the wire contract; a field missing here would be dropped from the output,
 * as Python drops unknown fields.
 */
import { defineSchema } from './pbtxt.ts';

const DATA_TYPES: Record<number, string> = {};
[
  'INVALID', 'FLOAT', 'DOUBLE', 'INT32', 'UINT8', 'INT16', 'INT8', 'STRING', 'COMPLEX64', 'INT64', 'BOOL', 'QINT8',
  'QUINT8', 'QINT32', 'BFLOAT16', 'QINT16', 'QUINT16', 'UINT16', 'COMPLEX128', 'HALF', 'RESOURCE', 'VARIANT', 'UINT32',
  'UINT64', 'FLOAT8_E5M2', 'FLOAT8_E4M3FN', 'FLOAT8_E4M3FNUZ', 'FLOAT8_E4M3B11FNUZ', 'FLOAT8_E5M2FNUZ', 'INT4', 'UINT4',
  'INT2', 'UINT2',
].forEach((name, i) => {
  DATA_TYPES[i] = `DT_${name}`;
  if (i > 0) DATA_TYPES[i + 100] = `DT_${name}_REF`;
});

const FULL_TYPE_IDS: Record<number, string> = {
  0: 'TFT_UNSET', 1: 'TFT_VAR', 2: 'TFT_ANY', 3: 'TFT_PRODUCT', 4: 'TFT_NAMED', 20: 'TFT_FOR_EACH', 100: 'TFT_CALLABLE',
  1000: 'TFT_TENSOR', 1001: 'TFT_ARRAY', 1002: 'TFT_OPTIONAL', 1003: 'TFT_LITERAL', 1004: 'TFT_ENCODED',
  1005: 'TFT_SHAPE_TENSOR', 200: 'TFT_BOOL', 201: 'TFT_UINT8', 202: 'TFT_UINT16', 203: 'TFT_UINT32', 204: 'TFT_UINT64',
  205: 'TFT_INT8', 206: 'TFT_INT16', 207: 'TFT_INT32', 208: 'TFT_INT64', 209: 'TFT_HALF', 210: 'TFT_FLOAT',
  211: 'TFT_DOUBLE', 215: 'TFT_BFLOAT16', 212: 'TFT_COMPLEX64', 213: 'TFT_COMPLEX128', 214: 'TFT_STRING',
  10102: 'TFT_DATASET', 10103: 'TFT_RAGGED', 10104: 'TFT_ITERATOR', 10202: 'TFT_MUTEX_LOCK', 10203: 'TFT_LEGACY_VARIANT',
};

/** GraphDef, RunMetadata and their parts. */
export const GRAPH_SCHEMA = defineSchema(
  {
    GraphDef: 'node 1 NodeDef*; library 2 FunctionDefLibrary; version 3 int32; versions 4 VersionDef; debug_info 5 GraphDebugInfo',
    VersionDef: 'producer 1 int32; min_consumer 2 int32; bad_consumers 3 int32*',
    NodeDef:
      'name 1 string; op 2 string; input 3 string*; device 4 string; attr 5 map<string,AttrValue>; ' +
      'experimental_debug_info 6 NodeDebugInfo; experimental_type 7 FullTypeDef',
    NodeDebugInfo: 'original_node_names 1 string*; original_func_names 2 string*',
    FullTypeDef: 'type_id 1 FullTypeId; args 2 FullTypeDef*; s 3 string |attr; i 4 int64 |attr',
    AttrValue:
      'list 1 ListValue |value; s 2 bytes |value; i 3 int64 |value; f 4 float |value; b 5 bool |value; ' +
      'type 6 DataType |value; shape 7 TensorShapeProto |value; tensor 8 TensorProto |value; ' +
      'placeholder 9 string |value; func 10 NameAttrList |value',
    ListValue:
      's 2 bytes*; i 3 int64*; f 4 float*; b 5 bool*; type 6 DataType*; shape 7 TensorShapeProto*; ' +
      'tensor 8 TensorProto*; func 9 NameAttrList*',
    NameAttrList: 'name 1 string; attr 2 map<string,AttrValue>',
    TensorShapeProto: 'dim 2 Dim*; unknown_rank 3 bool',
    Dim: 'size 1 int64; name 2 string',
    TensorProto:
      'dtype 1 DataType; tensor_shape 2 TensorShapeProto; version_number 3 int32; tensor_content 4 bytes; ' +
      'float_val 5 float*; double_val 6 double*; int_val 7 int32*; string_val 8 bytes*; scomplex_val 9 float*; ' +
      'int64_val 10 int64*; bool_val 11 bool*; dcomplex_val 12 double*; half_val 13 int32*; ' +
      'resource_handle_val 14 ResourceHandleProto*; variant_val 15 VariantTensorDataProto*; uint32_val 16 uint32*; ' +
      'uint64_val 17 uint64*; float8_val 18 bytes',
    ResourceHandleProto:
      'device 1 string; container 2 string; name 3 string; hash_code 4 uint64; maybe_type_name 5 string; ' +
      'dtypes_and_shapes 6 DtypeAndShape*',
    DtypeAndShape: 'dtype 1 DataType; shape 2 TensorShapeProto',
    VariantTensorDataProto: 'type_name 1 string; metadata 2 bytes; tensors 3 TensorProto*',
    FunctionDefLibrary: 'function 1 FunctionDef*; gradient 2 GradientDef*; registered_gradients 3 RegisteredGradient*',
    FunctionDef:
      'signature 1 OpDef; node_def 3 NodeDef*; ret 4 map<string,string>; attr 5 map<string,AttrValue>; ' +
      'control_ret 6 map<string,string>; arg_attr 7 map<uint32,ArgAttrs>; resource_arg_unique_id 8 map<uint32,uint32>',
    ArgAttrs: 'attr 1 map<string,AttrValue>',
    GradientDef: 'function_name 1 string; gradient_func 2 string',
    RegisteredGradient: 'gradient_func 1 string; registered_op_type 2 string',
    OpDef:
      'name 1 string; input_arg 2 ArgDef*; output_arg 3 ArgDef*; attr 4 AttrDef*; summary 5 string; ' +
      'description 6 string; deprecation 8 OpDeprecation; is_aggregate 16 bool; is_stateful 17 bool; ' +
      'is_commutative 18 bool; allows_uninitialized_input 19 bool; control_output 20 string*; ' +
      'is_distributed_communication 21 bool',
    ArgDef:
      'name 1 string; description 2 string; type 3 DataType; type_attr 4 string; number_attr 5 string; ' +
      'type_list_attr 6 string; handle_data 7 DtypeAndShape*; is_ref 16 bool; experimental_full_type 17 FullTypeDef',
    AttrDef:
      'name 1 string; type 2 string; default_value 3 AttrValue; description 4 string; has_minimum 5 bool; ' +
      'minimum 6 int64; allowed_values 7 AttrValue',
    OpDeprecation: 'version 1 int32; explanation 2 string',
    'GraphDebugInfo!':
      'files 1 string*; traces 2 map<string,StackTrace>; frames_by_id 4 map<fixed64,FileLineCol>; ' +
      'name_to_trace_id 5 map<string,fixed64>; traces_by_id 6 map<fixed64,StackTrace>',
    'FileLineCol!': 'file_index 1 int32; line 2 int32; col 3 int32; func 4 string; code 5 string',
    'StackTrace!': 'file_line_cols 1 FileLineCol*; frame_id 2 fixed64*',

    RunMetadata:
      'step_stats 1 StepStats; cost_graph 2 CostGraphDef; partition_graphs 3 GraphDef*; ' +
      'function_graphs 4 FunctionGraphs*; session_metadata 5 SessionMetadata',
    FunctionGraphs: 'partition_graphs 1 GraphDef*; pre_optimization_graph 2 GraphDef; post_optimization_graph 3 GraphDef',
    SessionMetadata: 'name 1 string; version 2 int64',
    StepStats: 'dev_stats 1 DeviceStepStats*',
    DeviceStepStats: 'device 1 string; node_stats 2 NodeExecStats*; thread_names 3 map<uint32,string>',
    NodeExecStats:
      'node_name 1 string; all_start_micros 2 int64; op_start_rel_micros 3 int64; op_end_rel_micros 4 int64; ' +
      'all_end_rel_micros 5 int64; memory 6 AllocatorMemoryUsed*; output 7 NodeOutput*; timeline_label 8 string; ' +
      'scheduled_micros 9 int64; thread_id 10 uint32; referenced_tensor 11 AllocationDescription*; ' +
      'memory_stats 12 MemoryStats; all_start_nanos 13 int64; op_start_rel_nanos 14 int64; ' +
      'op_end_rel_nanos 15 int64; all_end_rel_nanos 16 int64; scheduled_nanos 17 int64',
    AllocatorMemoryUsed:
      'allocator_name 1 string; total_bytes 2 int64; peak_bytes 3 int64; live_bytes 4 int64; ' +
      'allocator_bytes_in_use 5 int64; allocation_records 6 AllocationRecord*',
    AllocationRecord: 'alloc_micros 1 int64; alloc_bytes 2 int64',
    NodeOutput: 'slot 1 int32; tensor_description 3 TensorDescription',
    TensorDescription: 'dtype 1 DataType; shape 2 TensorShapeProto; allocation_description 4 AllocationDescription',
    AllocationDescription:
      'requested_bytes 1 int64; allocated_bytes 2 int64; allocator_name 3 string; allocation_id 4 int64; ' +
      'has_single_reference 5 bool; ptr 6 uint64',
    MemoryStats:
      'temp_memory_size 1 int64; device_temp_memory_size 2 int64; persistent_memory_size 3 int64; ' +
      'device_persistent_memory_size 4 int64; persistent_tensor_alloc_ids 5 int64*; ' +
      'device_persistent_tensor_alloc_ids 6 int64*',
    CostGraphDef: 'node 1 CostNode*; cost 2 AggregatedCost*',
    CostNode:
      'name 1 string; device 2 string; id 3 int32; input_info 4 InputInfo*; output_info 5 OutputInfo*; ' +
      'temporary_memory_size 6 int64; is_final 7 bool; control_input 8 int32*; compute_cost 9 int64; ' +
      'host_temp_memory_size 10 int64; device_temp_memory_size 11 int64; persistent_memory_size 12 int64; ' +
      'compute_time 14 int64; memory_time 15 int64; device_persistent_memory_size 16 int64; inaccurate 17 bool',
    InputInfo: 'preceding_node 1 int32; preceding_port 2 int32',
    OutputInfo: 'size 1 int64; alias_input_port 2 int64; shape 3 TensorShapeProto; dtype 4 DataType',
    AggregatedCost: 'cost 1 float; dimension 2 string',
  },
  { DataType: DATA_TYPES, FullTypeId: FULL_TYPE_IDS },
);
