/** The request a scheme sees is built in the core (the pipeline builds it for each delivery). */
export { calledUrl, schemeRequestOf, splitUrl, urlText } from '../core/scheme-request';
