import { INFRA_SUBJECTS, fuzzSubjects } from "./fuzz";

// Constructs of the infrastructure stacks (and the environment and stacks themselves).
fuzzSubjects((name) => INFRA_SUBJECTS.includes(name));
