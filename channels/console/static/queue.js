// Keeps the handoff queue current: every 5 seconds the rows are fetched and redrawn (as text only).
(function () {
  "use strict";
  var table = document.getElementById("queue");
  var alert = document.getElementById("emergency-alert");
  if (!table) return;
  var csrf = table.getAttribute("data-csrf");

  function cell(row, text) {
    var td = document.createElement("td");
    td.textContent = text;
    row.appendChild(td);
    return td;
  }

  function action(ticket) {
    if (ticket.claimed) {
      var link = document.createElement("a");
      link.href = "/tickets/" + encodeURIComponent(ticket.id);
      link.textContent = "Open";
      return link;
    }
    var form = document.createElement("form");
    form.method = "post";
    form.action = "/tickets/" + encodeURIComponent(ticket.id) + "/claim";
    form.className = "inline";
    var token = document.createElement("input");
    token.type = "hidden"; token.name = "csrf"; token.value = csrf;
    var button = document.createElement("button");
    button.type = "submit"; button.textContent = "Claim";
    form.appendChild(token); form.appendChild(button);
    return form;
  }

  function draw(tickets) {
    var body = document.createElement("tbody");
    tickets.forEach(function (ticket) {
      var row = document.createElement("tr");
      if (ticket.emergency) row.className = "emergency";
      cell(row, ticket.id + (ticket.emergency ? " EMERGENCY" : ""));
      cell(row, ticket.channel);
      cell(row, ticket.waiting + " min");
      cell(row, ticket.summary);
      cell(row, "").appendChild(action(ticket));
      body.appendChild(row);
    });
    if (!tickets.length) cell(body.appendChild(document.createElement("tr")), "Nobody is waiting.").colSpan = 5;
    table.replaceChild(body, table.tBodies[0]);
    alert.hidden = !tickets.some(function (ticket) { return ticket.emergency; });
  }

  setInterval(function () {
    fetch("/queue.json", { credentials: "same-origin", headers: { "X-Refresh": "1" } })
      .then(function (reply) {
        if (reply.redirected || !reply.ok) {  // the session ended: say so, on the login page
          window.location.assign("/login");
          return Promise.reject(reply.status);
        }
        return reply.json();
      })
      .then(draw)
      .catch(function () { /* the next round tries again */ });
  }, 5000);
})();
