// Filled in by its own issue; nothing here pretends to work yet.
export {};
