import { INFRA_SUBJECTS, fuzzSubjects } from "./fuzz";

// Constructs of the in-cluster stacks, and the factories (receivers, registry auth).
fuzzSubjects((name) => !INFRA_SUBJECTS.includes(name));
