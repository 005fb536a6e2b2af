import baseConfig, { appProductionRules } from '../../eslint.config.mjs';

export default [...baseConfig, ...appProductionRules('cli')];
