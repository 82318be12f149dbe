// The smmu-sva command from the sources (npm run smmu-sva, npm start): see src/cli/main.ts.
import '../src/cli/main.ts';
