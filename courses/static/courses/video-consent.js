// Lesson videos: the provider's player loads only when the person asks for it (see
// courses/blocks/video.html), so that opening a lesson calls no third party.
document.querySelectorAll("[data-video-consent]").forEach((frame) => {
  const button = frame.querySelector("[data-video-consent-play]");
  const embed = frame.querySelector("template[data-video-consent-embed]");
  if (!button || !embed) {
    return;
  }
  button.hidden = false;
  button.addEventListener("click", () => {
    frame.replaceChildren(document.importNode(embed.content, true));
  });
});
