import type { Api, MyBrand } from '../api.js';

export function BrandAuditPage(props: { api: Api; brand: MyBrand; userId?: string; onLeft?: () => void }) {
  return <section class="page"><h1>BrandAuditPage</h1><p>{props.brand.name}</p></section>;
}
