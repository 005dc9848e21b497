package awstoe

// The key lists the parser accepts, read-only, for the JSON Schema of
// component documents (recipes.JSONSchema), so that the schema and this
// validator name the same keys.

// DocumentKeys are the top-level keys of a document.
func DocumentKeys() []string { return clone(documentKeys) }

// ParameterKeys are the keys of a parameter's declaration.
func ParameterKeys() []string { return clone(parameterKeys) }

// ConstantKeys are the keys of a constant's declaration.
func ConstantKeys() []string { return clone(constantKeys) }

// PhaseKeys are the keys of a phase.
func PhaseKeys() []string { return clone(phaseKeys) }

// StepKeys are the keys of a step.
func StepKeys() []string { return clone(stepKeys) }

// LoopKeys, ForKeys and ForEachKeys are the keys of a step's loop.
func LoopKeys() []string { return clone(loopKeys) }

// ForKeys are the keys of a for loop (all required integers).
func ForKeys() []string { return clone(forKeys) }

// ForEachKeys are the keys of the mapping form of forEach.
func ForEachKeys() []string { return clone(forEachKeys) }

// OnFailureValues are the values onFailure takes.
func OnFailureValues() []string { return []string{OnFailureAbort, OnFailureContinue, OnFailureIgnore} }

func clone(s []string) []string { return append([]string(nil), s...) }
