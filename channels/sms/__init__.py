"""The SMS channel (Twilio): /webhooks/sms/webhook.

Unlike Rasa's twilio channel:
- every request must carry a valid X-Twilio-Signature, computed by the twilio library's
  RequestValidator over the configured public URL (SMS_WEBHOOK_URL, which behind a proxy
  differs from the URL Rasa sees) and the raw form body, blank parameters included;
  anything else gets 403 and never reaches the bot (channel.py);
- a MessageSid is handled once, however often Twilio retries it;
- Twilio gets its answer at once and the message is handled in the background, one at a
  time per sender in the order received, across processes too: a message waits for the
  sender's earlier ones that another process is answering (an emergency does not wait)
  (handling.py, ordering.py); replies go out through delivery.py;
- a message is kept in the vault (sealed) until it is answered, claimed by this process for a
  lease it renews every few seconds: when a process dies with messages unanswered, another
  one takes them over once the lease runs out (one that reached Rasa is not handled twice)
  (claims.py);
- a picture or an empty message gets a polite text answer (answer.py); STOP / START / HELP
  update the sms consent in the vault and answer as carriers expect (keywords.py); after STOP
  nothing is sent but emergency guidance (output.py);
- buttons become numbered choices ("2" picks the second); long replies are split into
  single-segment parts between words (text.py);
- the sender id Rasa, the logs and the tracker see is the vault's pseudonym of the number;
- with a Twilio account configured, the texts the vault queues (one-time codes,
  confirmations) are sent as they come.
Health questions are not asked by SMS: the intake sends the patient to the web chat.
"""

from channels.sms.channel import SmsChannel

__all__ = ["SmsChannel"]
