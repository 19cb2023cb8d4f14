// The e2e tier uses the same throwaway database set-up as the API's integration tier.
export { default } from '../../apps/api/test/global-setup';
