"""The core: the types every backend speaks (:mod:`.types`), the App, the router, the flow
library, template rendering and the delivery policy.  Knows no backend."""
