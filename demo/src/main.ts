/**
 * The demo: a tenant's app ("Acme") using Aldero SMS MFA. The components come from their public
 * entry, as a tenant's `<script type="module">` would load them; the custom elements are then
 * used in the pages' HTML.
 */
import '../../components/index.ts';
import './app.ts';
