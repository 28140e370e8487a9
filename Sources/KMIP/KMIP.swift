// swift-kmip: KMIP
//
// What users import: the typed messages, operations, objects and attributes (and, with the
// client issue, the client). It re-exports the item tree, the registry and the codecs.

@_exported import KMIPTTLV
@_exported import KMIPXML
