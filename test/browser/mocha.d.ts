/**
 * The few Mocha globals the browser suites use (@web/test-runner runs them with Mocha). Declared
 * here because @types/mocha is not among the project's dependencies.
 */
type MochaCallback = (this: { timeout(ms: number): void }) => void | Promise<void>;
declare function describe(title: string, suite: () => void): void;
declare function it(title: string, test: MochaCallback): void;
declare function before(hook: MochaCallback): void;
declare function after(hook: MochaCallback): void;
declare function beforeEach(hook: MochaCallback): void;
declare function afterEach(hook: MochaCallback): void;
