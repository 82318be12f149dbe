#!/usr/bin/env node
// The smmu-sva command from the sources (tests spawn this): see bin/smmu-sva.mjs.
import '../bin/smmu-sva.mjs';
