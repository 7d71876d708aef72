// Wires the page once every panel's script has loaded.
"use strict";

document.getElementById("login").onsubmit = (event) => {
  event.preventDefault();
  const field = document.getElementById("token");
  state.token = field.value.trim();
  field.value = "";
  say("");
  if (state.token) sessionStorage.setItem(TOKEN_KEY, state.token);
  signIn();
};
// Signing out forgets the token in this tab; the server keeps no session to end,
// and the token itself stays valid until the administrator revokes it.
document.getElementById("sign-out").onclick = () => {
  state.requests.abort();
  state.requests = new AbortController();
  forgetToken();
  say("signed out");
  closeDetail();
  document.getElementById("report").classList.remove("shown");
  signIn();
};

drawBase();
signIn();
