import type { Api, MyBrand } from '../api.js';

export function MembersPage(props: { api: Api; brand: MyBrand; userId?: string; onLeft?: () => void }) {
  return <section class="page"><h1>MembersPage</h1><p>{props.brand.name}</p></section>;
}
