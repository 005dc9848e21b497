package ibfake

// Which error codes an operation may answer. botocore's model lists, per
// operation, the error shapes a client must be ready for; the service is
// known to answer a few more on its Image Builder operations (not on the
// tag operations, which sit behind the shared tagging front end and keep
// to their list). Everything the fake answers must be in
// model errors ∪ offModelErrors, and fitError maps the fake's generic
// validation codes onto what each operation declares, so a client that
// handles the model's list sees nothing it could not expect, and a new
// model that narrows a list fails TestErrorsMatchModel.

// offModelErrors are answered by every Image Builder operation (not the
// tag operations) although the model does not list them there:
//   - InvalidParameterValueException: a value fails validation (boto3#2224:
//     GetComponent answers it for an ARN off the pattern; pulumi#6343:
//     CreateDistributionConfiguration for a distribution without outputs).
//   - ResourceNotFoundException: an ARN names nothing (the service
//     surfaces it beyond the few operations that list it).
//   - InvalidParameterCombinationException: aws-ia#106, CreateImageRecipe
//     with a parameter the component does not declare.
//   - AccessDeniedException: IAM refuses the caller (any AWS operation).
var offModelErrors = []string{"InvalidParameterValueException", "ResourceNotFoundException", "InvalidParameterCombinationException", "AccessDeniedException"}

// tagOperations keep to the model's list, plus IAM's refusal.
var tagOperations = map[string]bool{"TagResource": true, "UntagResource": true, "ListTagsForResource": true}

// allowedErrors is the set of codes op may answer.
func (m *Model) allowedErrors(op *Operation) map[string]bool {
	out := map[string]bool{"AccessDeniedException": true}
	for _, e := range op.Errors {
		out[e.Shape] = true
	}
	if !tagOperations[op.Name] {
		for _, c := range offModelErrors {
			out[c] = true
		}
	}
	return out
}

// validationCodes are the codes of a request the fake refuses for its
// values, most specific first: fitError replaces one the operation does
// not answer by the first of these it does.
var validationCodes = []string{"InvalidVersionNumberException", "InvalidParameterValueException", "InvalidParameterException", "InvalidRequestException", "ClientException"}

// fitError makes e a code op answers: a validation failure becomes the
// operation's own validation code (InvalidParameterException on the tag
// operations, InvalidParameterValueException elsewhere). Other codes pass
// unchanged; TestErrorsMatchModel catches one that does not fit.
func (m *Model) fitError(op *Operation, e *apiError) *apiError {
	allowed := m.allowedErrors(op)
	if allowed[e.Code] || !contains(validationCodes, e.Code) {
		return e
	}
	for _, c := range validationCodes {
		if allowed[c] {
			return &apiError{Code: c, Message: e.Message}
		}
	}
	return e
}
