import type { Api, MyBrand } from '../api.js';

export function SecretsPage(props: { api: Api; brand: MyBrand; userId?: string; onLeft?: () => void }) {
  return <section class="page"><h1>SecretsPage</h1><p>{props.brand.name}</p></section>;
}
