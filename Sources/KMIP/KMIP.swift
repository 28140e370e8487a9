// swift-kmip: KMIP
//
// What users import: the typed messages, operations, objects and attributes, and the client.
// The typed models land with the typed-models issue; until then this module re-exports the
// item tree, the registry and the codecs.

@_exported import KMIPTTLV
@_exported import KMIPXML
